"""`newsdesk extract` as a Django command, for `newsdesk help` and `call_command`.

``newsdesk extract`` itself runs ``newsdesk.extract_cli`` without Django; both parse the same
arguments and call the same ``run``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from newsdesk import extract_cli


class Command(BaseCommand):
    help = extract_cli.HELP

    def add_arguments(self, parser):
        extract_cli.add_arguments(parser)

    def handle(self, *args, inputs, url=None, json=False, no_template=False, allow_private=False, **options):
        try:
            extract_cli.run(inputs, self.stdout, url=url, as_json=json, no_template=no_template,
                            allow_private=allow_private)
        except extract_cli.ExtractFailed as exc:
            raise CommandError(str(exc)) from None
