"""SSH signatures of approval records, made and checked by OpenSSH's `ssh-keygen -Y`.

The same scheme git uses for SSH-signed commits (`gpg.format ssh`, `gpg.ssh.allowedSignersFile`):
CI signs each record with a private key held as a secret; the public keys allowed to sign are listed
in the governance repo, in `.martechgate/allowed_signers` (the format of ssh-keygen's ALLOWED
SIGNERS section), and only as the base branch held it before the change being recorded. Every
signature is bound to the namespace `martechgate-record`, so a signature made for anything else
(a commit, a file) with the same key is never accepted.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from martechgate.errors import UsageError
from martechgate.sources.git import ssh_keygen

NAMESPACE = "martechgate-record"
ALLOWED_SIGNERS = ".martechgate/allowed_signers"
KEY_ENV = "MARTECHGATE_SIGNING_KEY"  # the private key itself (a CI secret)
KEY_FILE_ENV = "MARTECHGATE_SIGNING_KEY_FILE"  # or a path to it
DEFAULT_PRINCIPAL = "martechgate-ci"


def _said(output: bytes, code: int) -> str:
    lines = output.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit {code}"


@contextmanager
def private_key(path: str | None, env: Mapping[str, str]) -> Iterator[Path]:
    """The signing key's file: `path`, else $MARTECHGATE_SIGNING_KEY_FILE, else the key text in
    $MARTECHGATE_SIGNING_KEY written to a private temporary file (removed afterwards)."""
    path = path or env.get(KEY_FILE_ENV) or None
    if path:
        if not os.path.isfile(path):
            raise UsageError(f"the signing key {path} is not a file", hint="Give the path of the CI's private key.")
        yield Path(path)
        return
    text = env.get(KEY_ENV, "")
    if not text.strip():
        raise UsageError(
            "no signing key: a record is signed by CI",
            hint=f"Give --signing-key PATH, or the private key's text in ${KEY_ENV} (a CI secret); "
            f"its public key must be listed in {ALLOWED_SIGNERS} on the base branch. See docs/records.md.",
        )
    with tempfile.TemporaryDirectory(prefix="martechgate-key-") as folder:
        key = Path(folder) / "key"
        # ssh-keygen refuses a key file others can read; the folder is private too.
        descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text.strip() + "\n")
        yield key


def sign(data: bytes, key: Path) -> str:
    """The armored SSH signature of `data` in the records' namespace."""
    result = ssh_keygen(["-Y", "sign", "-q", "-f", str(key), "-n", NAMESPACE], data)
    signature = result.stdout.decode("ascii", "replace")
    if result.returncode != 0 or "BEGIN SSH SIGNATURE" not in signature:
        raise UsageError(
            f"ssh-keygen could not sign with {key}: {_said(result.stderr + result.stdout, result.returncode)}",
            hint="The key must be an OpenSSH private key without a passphrase (ssh-keygen -t ed25519 -N '').",
        )
    return signature


@dataclass(frozen=True)
class Checked:
    valid: bool
    reason: str  # why not, in ssh-keygen's words; empty when valid


def check(data: bytes, signature: str, principal: str, allowed_signers: bytes) -> Checked:
    """Whether `signature` is `principal`'s over `data`, `principal` being listed (for this
    namespace) in the allowed signers given."""
    if not allowed_signers.strip():
        return Checked(False, f"no key is allowed to sign: {ALLOWED_SIGNERS} is empty or absent")
    if not principal or any(c.isspace() or c in ',*?!"' for c in principal):
        return Checked(False, f"the signer {principal!r} is not a principal name")
    with tempfile.TemporaryDirectory(prefix="martechgate-verify-") as folder:
        allowed = Path(folder) / "allowed_signers"
        allowed.write_bytes(allowed_signers)
        armored = Path(folder) / "signature"
        armored.write_text(signature, encoding="ascii", errors="replace")
        result = ssh_keygen(
            ["-Y", "verify", "-f", str(allowed), "-I", principal, "-n", NAMESPACE, "-s", str(armored)], data
        )
    if result.returncode == 0:
        return Checked(True, "")
    return Checked(False, _said(result.stderr + result.stdout, result.returncode))
