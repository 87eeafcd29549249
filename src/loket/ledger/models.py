"""The append-only ledger: entries, stored subtree hashes, signed tree heads.

Rows here are written only by :mod:`loket.ledger.services`; nothing updates or
deletes them. Anyone with the entries can recompute every hash, which is what
makes tampering with a row detectable (``loket ledger verify``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    """One recorded fact (case event, issued document, revocation) at a gap-free index."""

    index = models.PositiveBigIntegerField(_("index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"))
    # The exact text the leaf hash covers (docs/ledger.md), kept so a reader
    # needs no knowledge of our encoder to check the hash.
    canonical = models.TextField(_("canonical JSON"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class SubtreeHash(models.Model):
    """Hash of the complete subtree over leaves ``[index·2^level, (index+1)·2^level)``.

    Stored for every level >= 1 as soon as the subtree is complete (level 0 is
    ``LedgerEntry.leaf_hash``), so any node of any tree head is at most
    ``log2(n)`` lookups and a proof never reads the whole log.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("subtree hash")
        verbose_name_plural = _("subtree hashes")

    def __str__(self) -> str:
        return f"level {self.level} #{self.index}"


class LogState(models.Model):
    """The single row that serialises appends: size and frontier of the current tree.

    ``frontier`` is the concatenation of the 32-byte hashes of the complete
    subtrees that make up the tree, largest first (one per set bit of size).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")

    class Meta:
        verbose_name = _("log state")

    def __str__(self) -> str:
        return f"log of {self.size} entries"


class TreeHead(models.Model):
    """A signed statement of the log's size and root hash at a moment (a checkpoint)."""

    size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    timestamp = models.DateTimeField(_("signed at"))
    origin = models.CharField(_("log origin"), max_length=255)
    key_id = models.CharField(_("key ID"), max_length=8, help_text=_("hex, 4 bytes"))
    signature = models.BinaryField(_("Ed25519 signature"), max_length=64)

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-size", "-timestamp", "-id"]
        indexes = [models.Index(fields=["size", "timestamp"], name="ledger_treehead_size_ts")]

    def __str__(self) -> str:
        return f"size {self.size} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class PendingEntry(models.Model):
    """A public fact committed with its change and not yet in the log (ADR 0022).

    The case engine's steps queue their public events here instead of appending
    under the log's lock; the worker folds them into the log in id order, in a
    transaction that also deletes them, so each is appended exactly once.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"))
    queued_at = models.DateTimeField(_("queued at"))

    class Meta:
        verbose_name = _("entry waiting to be recorded")
        verbose_name_plural = _("entries waiting to be recorded")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"pending {self.kind} ({self.id})"
