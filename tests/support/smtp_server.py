#!/usr/bin/env python3
"""A real SMTP server on loopback for obmen's tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_server.py PORT OUTDIR USER PASSWORD

Takes mail only after AUTH PLAIN or LOGIN as USER with PASSWORD (allowed without TLS, as on
loopback), and writes each message taken to OUTDIR/<n>.json: the envelope's recipients, the
From, To and Subject headers and the text, decoded, and the message as received. Prints 'ready'
once it listens."""

import email
import email.policy
import json
import logging
import sys
import warnings
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# Login without TLS is what a loopback test wants: aiosmtpd's warning about it is noise here.
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)

port, outdir, user, password = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
outdir.mkdir(parents=True, exist_ok=True)
lock = threading.Lock()
count = [0]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            count[0] += 1
            n = count[0]
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        doc = {
            "rcpt": list(envelope.rcpt_tos),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "text": msg.get_content(),
            "raw": raw.decode("utf-8", "replace"),
        }
        tmp = outdir / f".{n}.tmp"
        tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        tmp.rename(outdir / f"{n}.json")
        return "250 OK"


controller = Controller(
    Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=True, auth_require_tls=False
)
controller.start()
print("ready", flush=True)
try:
    threading.Event().wait()
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
