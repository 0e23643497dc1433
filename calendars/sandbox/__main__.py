"""`python -m calendars.sandbox`: run the sandbox providers until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import threading

from . import data
from .model import GOOGLE, MICROSOFT
from .server import start_sandbox
from .state import State


def account_specs(given: list[list[str]]) -> tuple[data.AccountSpec, ...]:
    """The default accounts, with each `--account` added, or renaming the default of that provider and address
    (`make run` names the demo team's accounts as the demo names its members)."""
    specs = {(spec.provider, spec.email): spec for spec in data.DEFAULT_ACCOUNTS}
    for provider, email, name, tz in given:
        default = specs.get((provider, email.lower()))
        specs[(provider, email.lower())] = data.AccountSpec(provider, email.lower(), name, tz,
                                                            default.kind if default else "work")
    return tuple(specs.values())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m calendars.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--google-port", type=int, default=8010)
    parser.add_argument("--microsoft-port", type=int, default=8011, help="https (msal needs https)")
    parser.add_argument("--microsoft-http-port", type=int, default=8012, help="plain http consent pages")
    parser.add_argument("--ca-bundle", default=None, help="where to write the sandbox CA certificate (PEM)")
    parser.add_argument("--account", nargs=4, action="append", default=[],
                        metavar=("PROVIDER", "EMAIL", "NAME", "TIME_ZONE"),
                        help="an account to add, or a default one to rename (repeatable)")
    parser.add_argument("--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    for provider, *_ in args.account:
        if provider not in (GOOGLE, MICROSOFT):
            parser.error(f"--account: the provider is {GOOGLE} or {MICROSOFT}, not {provider}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")

    server = start_sandbox(host=args.host, google_port=args.google_port, microsoft_port=args.microsoft_port,
                           microsoft_http_port=args.microsoft_http_port, ca_bundle=args.ca_bundle,
                           state=State(accounts=account_specs(args.account)))
    print("Calendar sandbox running:")
    print(f"  Google (http)           {server.google_url}")
    print(f"  Microsoft (https)       {server.microsoft_url}")
    print(f"  Microsoft consent (http) {server.microsoft_http_url}")
    print(f"  Control pages           {server.google_url}/_sandbox/")
    print(f"  CA bundle               {server.ca_bundle}")
    print("Environment for the app:")
    for key, value in server.env().items():
        print(f"  export {key}={shlex.quote(value)}")
    print("Accounts: " + ", ".join(f"{a.email} ({a.provider})" for a in server.state.accounts.values()), flush=True)

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
