"""``negsim dashboard``: serve the page until interrupted."""

from __future__ import annotations

import argparse
import socket
import sys


def main(argv: list[str]) -> None:
    """``negsim dashboard [--host HOST] [--port PORT]``: serve the dashboard until interrupted.

    Solara serves everything from this machine (its scripts and styles from the ``solara-assets`` package, the
    figures as images), so the page works without internet, as in a lecture hall.
    """
    parser = argparse.ArgumentParser(
        prog="negsim dashboard", description="Serve the interactive dashboard (Mesa's SolaraViz) in the browser."
    )
    parser.add_argument("--host", default="localhost", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default: %(default)s)")
    args = parser.parse_args(argv)
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a port just freed is free
        try:
            s.bind((args.host, args.port))
        except OSError as e:
            parser.error(f"cannot listen on {args.host}:{args.port} ({e.strerror}); choose another --port or --host")
    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    print(f"negsim: dashboard at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    server = ["--host", args.host, "--port", str(args.port), "--production", "--theme-loader", "plain"]
    server += ["--no-open", "--no-check-version"]
    run.main(["sim.dashboard.page:Page", *server], standalone_mode=False)


if __name__ == "__main__":
    main(sys.argv[1:])
