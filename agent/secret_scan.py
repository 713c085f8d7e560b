"""Secrets in the generated code: found with detect-secrets' format detectors (AWS, GitHub, Stripe,
Slack, OpenAI, private keys, JSON web tokens, URLs with a password, ...) and the product's own
registered secrets, before the download pack is made and before the preview is announced.

A finding is hidden (the secret becomes `[redacted]`) in what the founder takes home, and told to
the founder in plain words and to the agent with the file and line so it can take it out. The
keyword and entropy detectors stay off: they flag test passwords and lockfile hashes, and hiding
those would break the app being handed over.
"""

from __future__ import annotations

from dataclasses import dataclass

from detect_secrets.core.scan import scan_line
from detect_secrets.settings import transient_settings

from agent.founder_safe import REDACTED, redact

DETECTORS = ("ArtifactoryDetector", "AWSKeyDetector", "AzureStorageKeyDetector", "BasicAuthDetector",
             "CloudantDetector", "DiscordBotTokenDetector", "GitHubTokenDetector", "GitLabTokenDetector",
             "IbmCloudIamDetector", "IbmCosHmacDetector", "JwtTokenDetector", "MailchimpDetector", "NpmDetector",
             "OpenAIDetector", "PrivateKeyDetector", "PypiTokenDetector", "SendGridDetector", "SlackDetector",
             "SoftlayerDetector", "SquareOAuthDetector", "StripeDetector", "TelegramBotTokenDetector",
             "TwilioKeyDetector")
SKIPPED = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock")
MAX_SCANNED = 1_000_000  # bytes of one file


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    kind: str  # "Stripe Access Key", "the product's own key", ...


def _scan(path: str, text: str, findings: list[Finding]) -> str:
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        cleaned = redact(line, keywords=False)
        if cleaned != line:
            findings.append(Finding(path, number, "a key or password"))
        for secret in scan_line(cleaned):
            value = secret.secret_value or ""
            if len(value) >= 8 and value in cleaned:
                cleaned = cleaned.replace(value, REDACTED)
                findings.append(Finding(path, number, secret.type))
        lines[number - 1] = cleaned
    return "\n".join(lines)


def clean(files: dict[str, bytes]) -> tuple[dict[str, bytes], list[Finding]]:
    """The files with every secret found hidden, and what was found where."""
    findings: list[Finding] = []
    out: dict[str, bytes] = {}
    with transient_settings({"plugins_used": [{"name": name} for name in DETECTORS]}):
        for path, data in files.items():
            if path.rsplit("/", 1)[-1] in SKIPPED or len(data) > MAX_SCANNED or b"\x00" in data[:4096]:
                out[path] = data
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                out[path] = data
                continue
            out[path] = _scan(path, text, findings).encode()
    return out, findings


def told(findings: list[Finding]) -> str:
    """For the founder: what was found, in plain words (no paths, no values)."""
    files = sorted({f.path for f in findings})
    where = "one file" if len(files) == 1 else f"{len(files)} files"
    return (f"I found what looks like a password or secret key in {where} of your app's code, and hid it in what "
            "you download. Real keys belong in your hosting's settings, never in the code.")


def for_agent(findings: list[Finding]) -> str:
    """For the agent: where, so it can take the secret out and read it from the environment instead."""
    spots = ", ".join(f"{f.path}:{f.line} ({f.kind})" for f in findings[:10])
    return (f"Warning: what looks like a secret is in the code at {spots}. Remove it and read such values from "
            "environment variables; the founder's download has it hidden.")
