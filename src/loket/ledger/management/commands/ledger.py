"""`loket ledger checkpoint|verify|public-key`: operate the public ledger."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.ledger import services, signing


class Command(BaseCommand):
    help = "Sign a checkpoint, verify the whole log, or print the log's public key."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("checkpoint", help="sign a tree head now and print its checkpoint")
        actions.add_parser(
            "verify", help="recompute every hash and check the signed heads (exit 1 on mismatch)"
        )
        public_key = actions.add_parser("public-key", help="print the log's public key (PEM)")
        public_key.add_argument(
            "--vkey", action="store_true", help="print the signed-note verifier key instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "checkpoint":
            self.stdout.write(services.checkpoint_text(services.sign_tree_head()), ending="")
        elif action == "verify":
            result = services.verify_log()
            if not result.is_intact:
                raise CommandError(f"ledger verification failed: {result.reason}", returncode=1)
            self.stdout.write(
                f"ok: {result.size} entries, {result.tree_heads_checked} signed tree heads verified"
            )
        else:
            public_key = signing.load_private_key().public_key()
            if options["vkey"]:
                self.stdout.write(signing.verifier_key(signing.log_origin(), public_key))
            else:
                self.stdout.write(signing.public_key_pem(public_key), ending="")
