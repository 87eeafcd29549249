"""The compiled service definition: frozen, typed objects built once per published version.

`compiled(version)` is the public face: the engine, the portal, the workspace
and the API read a service through it instead of the normalized JSON. Each
data field carries its registered field type (loket.catalog.fields), which
owns cleaning, the form field and the display of its values.

Steps are typed too (`Step.id`, `.kind`, `.name`, `.checks`) and still answer
`step["next"]`/`step.get("on_reject")` for the routing keys the engine reads
from the normalized form.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from loket.catalog.fields import DataField, localized
from loket.catalog.stepkinds import StepKind, step_kind
from loket.core.errors import LoketError
from loket.core.pii import mask

if TYPE_CHECKING:
    from loket.catalog.models import ServiceVersion

I18n = Mapping[str, str]


class DefinitionFault(LoketError):
    """The published definition cannot be run (a step or target is missing)."""

    status = 500
    title = "Service definition error"


@dataclass(frozen=True)
class DocumentRequirement:
    name: str
    label: I18n
    help: I18n | None = None
    types: tuple[str, ...] = ("pdf",)
    max_size_mb: float | None = None
    required: bool = True

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any]) -> DocumentRequirement:
        return cls(
            name=str(spec["name"]),
            label=dict(spec.get("label") or {}),
            help=dict(spec["help"]) if spec.get("help") else None,
            types=tuple(str(t) for t in spec.get("types") or ["pdf"]),
            max_size_mb=float(spec["max_size_mb"]) if spec.get("max_size_mb") else None,
            required=bool(spec.get("required", True)),
        )

    def label_text(self, language: str) -> str:
        return localized(self.label, language) or self.name

    @property
    def max_bytes(self) -> int:
        """The size limit: the definition's, never above the installation's."""
        limit = int(settings.LOKET_MAX_UPLOAD_BYTES)
        if self.max_size_mb is None:
            return limit
        return min(int(self.max_size_mb * 1024 * 1024), limit)


@dataclass(frozen=True)
class DataGroup:
    """A topic of the application's data: one page of the step-by-step form."""

    name: str
    title: I18n
    hint: I18n | None = None

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any]) -> DataGroup:
        return cls(
            name=str(spec["name"]),
            title=dict(spec.get("title") or {}),
            hint=dict(spec["hint"]) if spec.get("hint") else None,
        )

    def title_text(self, language: str) -> str:
        return localized(self.title, language) or self.name

    def hint_text(self, language: str) -> str:
        return localized(self.hint, language) if self.hint else ""


@dataclass(frozen=True)
class Check:
    """One rule of an automatic step; `label` says in words what it checks."""

    rule: str
    message: I18n | None = None
    on_fail: str = "reject"
    label: I18n | None = None

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any]) -> Check:
        return cls(
            rule=str(spec.get("rule") or ""),
            message=dict(spec["message"]) if spec.get("message") else None,
            on_fail=str(spec.get("on_fail") or "reject"),
            label=dict(spec["label"]) if spec.get("label") else None,
        )

    def label_text(self, language: str) -> str:
        """The check in words: its label, else the rule made readable
        (`data.modal_usaha >= 1 && data.x == "y"` -> "modal usaha ≥ 1 and x = "y"")."""
        return localized(self.label, language) or readable_rule(self.rule, language)


_READABLE = {
    "id": {"&&": "dan", "||": "atau", "==": "=", "!=": "≠", ">=": "≥", "<=": "≤"},
    "en": {"&&": "and", "||": "or", "==": "=", "!=": "≠", ">=": "≥", "<=": "≤"},
}


def readable_rule(rule: str, language: str = "id") -> str:
    """A CEL rule with the machinery taken out: no `data.` prefixes, words for && and ||."""
    words = _READABLE["en" if language == "en" else "id"]
    text = re.sub(r"\b(?:data|documents|applicant|tables)\.", "", rule)
    text = re.sub(r"&&|\|\||==|!=|>=|<=", lambda m: words[m.group(0)], text)
    return " ".join(text.replace("_", " ").split())


@dataclass(frozen=True)
class Fee:
    """The service's fee: a fixed `amount` in rupiah (0: free) or a CEL `expression`."""

    amount: int | None = None
    expression: str | None = None
    note: I18n | None = None

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any] | None) -> Fee:
        spec = spec or {}
        return cls(
            amount=None if spec.get("amount") is None else int(spec["amount"]),
            expression=str(spec["expression"]) if spec.get("expression") else None,
            note=dict(spec["note"]) if spec.get("note") else None,
        )

    @property
    def is_free(self) -> bool:
        return self.amount == 0


@dataclass(frozen=True)
class Product:
    """The document the service issues: its type, number pattern and validity."""

    document_type: I18n | None = None
    number_pattern: str = ""
    validity: I18n | None = None

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any] | None) -> Product:
        spec = spec or {}
        return cls(
            document_type=dict(spec["document_type"]) if spec.get("document_type") else None,
            number_pattern=str(spec.get("number_pattern") or ""),
            validity=dict(spec["validity"]) if spec.get("validity") else None,
        )


@dataclass(frozen=True)
class Archive:
    """Archive metadata: classification code (Permendagri 83/2022) and access classes."""

    classification: str = ""
    case_file_access: str = "terbatas"
    document_access: str = "biasa"

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any] | None) -> Archive:
        spec = spec or {}
        return cls(
            classification=str(spec.get("classification") or ""),
            case_file_access=str(spec.get("case_file_access") or "terbatas"),
            document_access=str(spec.get("document_access") or "biasa"),
        )


@dataclass(frozen=True, eq=False)
class Step(Mapping[str, Any]):
    id: str
    kind: str
    name: I18n
    checks: tuple[Check, ...]
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any]) -> Step:
        return cls(
            id=str(spec.get("id")),
            kind=str(spec.get("kind")),
            name=dict(spec.get("name") or {}),
            checks=tuple(Check.from_normalized(c) for c in spec.get("checks") or []),
            raw=spec,
        )

    def name_text(self, language: str) -> str:
        return localized(self.name, language) or self.id

    @property
    def step_kind(self) -> StepKind:
        """The registered class of the step's kind: its behaviour in the engine and display."""
        found = step_kind(self.kind)
        if found is None:
            raise DefinitionFault(f"step {self.id!r} has an unknown kind {self.kind!r}")
        return found

    # The normalized keys (`next`, `on_reject`, `position`...) for the engine's routing.
    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


_KEPT_LANGUAGES = 8


@dataclass(frozen=True)
class ServiceDefinition:
    """A normalized definition (`raw`) and the typed objects compiled from it."""

    raw: dict[str, Any]
    data_fields: tuple[DataField, ...] = field(init=False, repr=False)
    data_groups: tuple[DataGroup, ...] = field(init=False, repr=False)
    document_requirements: tuple[DocumentRequirement, ...] = field(init=False, repr=False)
    steps: tuple[Step, ...] = field(init=False, repr=False)
    fee: Fee = field(init=False, repr=False)
    product: Product = field(init=False, repr=False)
    archive: Archive = field(init=False, repr=False)
    _fields: dict[str, DataField] = field(init=False, repr=False, compare=False)
    _documents: dict[str, DocumentRequirement] = field(init=False, repr=False, compare=False)
    _steps: dict[str, Step] = field(init=False, repr=False, compare=False)
    # language -> step id -> name: every reader of a case names its steps (the tracking
    # GET each entry of the timeline), so the names are made once per definition.
    _step_names: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        requirements = self.raw.get("requirements") or {}
        fields = tuple(DataField.from_normalized(f) for f in requirements.get("data") or [])
        documents = tuple(
            DocumentRequirement.from_normalized(d) for d in requirements.get("documents") or []
        )
        groups = tuple(DataGroup.from_normalized(g) for g in requirements.get("groups") or [])
        steps = tuple(Step.from_normalized(s) for s in self.raw.get("steps") or [])
        object.__setattr__(self, "data_fields", fields)
        object.__setattr__(self, "data_groups", groups)
        object.__setattr__(self, "document_requirements", documents)
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "fee", Fee.from_normalized(self.raw.get("fee")))
        object.__setattr__(self, "product", Product.from_normalized(self.raw.get("product")))
        object.__setattr__(self, "archive", Archive.from_normalized(self.raw.get("archive")))
        object.__setattr__(self, "_fields", {f.name: f for f in fields})
        object.__setattr__(self, "_documents", {d.name: d for d in documents})
        object.__setattr__(self, "_steps", {s.id: s for s in steps})
        object.__setattr__(self, "_step_names", {})

    # -- data and documents ------------------------------------------------------

    def field(self, name: str) -> DataField | None:
        return self._fields.get(name)

    def document(self, name: str) -> DocumentRequirement | None:
        return self._documents.get(name)

    @property
    def cross_checks(self) -> list[Mapping[str, Any]]:
        return list((self.raw.get("requirements") or {}).get("cross_checks") or [])

    def fields_of_group(self, group: str | None) -> tuple[DataField, ...]:
        """The data fields asked on one page: a group's, or (None) those in no group."""
        return tuple(f for f in self.data_fields if f.group == group)

    def masked_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """`data` with its personal fields (NIK, phone) masked, for readers other than
        officers working the case (event payloads, whoever holds the access code)."""
        personal = {f.name for f in self.data_fields if f.kind.is_personal}
        return {
            name: mask(str(value)) if name in personal and value else value
            for name, value in data.items()
        }

    def display_rows(self, data: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
        """(label, value as read) for every field with a value, in the definition's order."""
        return [
            (spec.label_text(language), spec.display(data[spec.name], language))
            for spec in self.data_fields
            if data.get(spec.name) not in (None, "")
        ]

    # -- steps ---------------------------------------------------------------------

    def step(self, step_id: str) -> Step:
        try:
            return self._steps[step_id]
        except KeyError:
            raise DefinitionFault(f"the service definition has no step {step_id!r}") from None

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps

    @property
    def first_step(self) -> Step:
        if not self.steps:
            raise DefinitionFault("the service definition has no steps")
        return self.steps[0]

    def first_of_kind(self, kind: str, **match: Any) -> Step | None:
        for step in self.steps:
            if step.kind == kind and all(step.get(k) == v for k, v in match.items()):
                return step
        return None

    def step_name(self, step_id: str, language: str = "id") -> str:
        return self.step_names(language).get(step_id, step_id)

    def step_names(self, language: str = "id") -> Mapping[str, str]:
        """Every step's name in `language` by step id (a step without one: its id)."""
        names = self._step_names.get(language)
        if names is None:
            names = {s.id: s.name_text(language) for s in self.steps}
            # Kept for the few languages a site speaks; any other is made each time.
            if len(self._step_names) < _KEPT_LANGUAGES:
                self._step_names[language] = names
        return names

    def actions(self, step_id: str) -> list[str]:
        """The decisions a task step offers (approve, return, reject), in written order."""
        return list((self.step(step_id).get("actions") or {}).keys())

    @property
    def segregation_pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for pair in self.raw.get("segregation_of_duties") or []:
            if isinstance(pair, (list, tuple)) and len(pair) >= 2:
                pairs.extend((str(a), str(b)) for a in pair for b in pair if a != b)
            elif isinstance(pair, dict) and "steps" in pair:
                steps = [str(s) for s in pair["steps"]]
                pairs.extend((a, b) for a in steps for b in steps if a != b)
        return pairs

    @property
    def service_deadline(self) -> dict[str, Any]:
        return dict(self.raw.get("deadline") or {})

    @property
    def completeness_step(self) -> str | None:
        """The step whose approval (or pass) declares the application complete.

        Named by `deadline.counted_from`; otherwise the first automatic check; None
        when there is neither: the application is complete when submitted.
        """
        named = self.service_deadline.get("counted_from")
        if named:
            return str(named)
        first_auto = self.first_of_kind("auto")
        return first_auto.id if first_auto else None

    def tracking_prefix(self, service_code: str) -> str:
        explicit = str(self.raw.get("tracking_prefix") or "").strip().upper()
        if re.fullmatch(r"[A-Z]{2,8}", explicit):
            return explicit
        initials = "".join(part[0] for part in re.split(r"[-_\s]+", service_code) if part)
        initials = re.sub(r"[^A-Za-z]", "", initials).upper()
        return (initials or "LK")[:6] if len(initials) >= 2 else (initials + "X")[:2]


# The one cache of compiled definitions in the process (the engine's
# `loket.cases.compiled` reads through it), by (version pk, content hash): a
# version's content never changes, and keying on the hash as well means a row
# replaced under the same pk (a test database, a restored backup, SQLite reusing
# ids after a rollback) is never served from a stale entry. Each entry also keeps
# the version row without its YAML source once someone asked for it by id.
_CACHE: OrderedDict[tuple[int, str], _Entry] = OrderedDict()
# Enough for every version an agency runs at once; old ones fall out first.
_CACHE_SIZE = 512
_LOCK = threading.Lock()


@dataclass
class _Entry:
    definition: ServiceDefinition
    version: ServiceVersion | None = None


def _cached(key: tuple[int, str]) -> _Entry | None:
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
        return found


def _store(key: tuple[int, str], entry: _Entry) -> _Entry:
    with _LOCK:
        # Two threads may compile the same version at once: keep the first copy.
        entry = _CACHE.setdefault(key, entry)
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return entry


def compiled(version: ServiceVersion) -> ServiceDefinition:
    """The typed definition of a published version, compiled once per process."""
    if version.pk is None:  # not published yet (a preview): nothing to key it by
        return ServiceDefinition(version.definition)
    key = (int(version.pk), str(version.content_hash))
    found = _cached(key)
    if found is not None:
        return found.definition
    return _store(key, _Entry(ServiceDefinition(version.definition))).definition


def compiled_if_seen(version_id: int, content_hash: str) -> ServiceDefinition | None:
    """The compiled definition of a version this process has already compiled (no
    query), else None: for readers that hold only the case row's id and hash."""
    found = _cached((version_id, content_hash))
    return found.definition if found is not None else None


def published(version_id: int, content_hash: str) -> tuple[ServiceVersion, ServiceDefinition]:
    """A published version (without its YAML source) and its definition, by id and hash.

    For callers that hold only the id and hash (the engine, from a case row): no
    query when the process has seen the version, one on a miss. The version and
    definition are shared between threads: read them, never change them.
    """
    from loket.catalog.models import ServiceVersion  # models import nothing from here

    key = (version_id, content_hash)
    found = _cached(key)
    if found is not None and found.version is not None:
        return found.version, found.definition
    row = ServiceVersion.objects.defer("source").get(pk=version_id)
    if row.content_hash != content_hash:
        # Not the version the caller read a moment ago: serve what the row holds now
        # under its own key, never the caller's stale idea of it.
        key = (version_id, row.content_hash)
        found = _cached(key)
    definition = found.definition if found is not None else ServiceDefinition(row.definition)
    entry = _store(key, _Entry(definition, row))
    with _LOCK:
        entry.version = entry.version or row
    return entry.version, entry.definition


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
