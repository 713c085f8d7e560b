"""The agent's file tools, shaped like the ones coding models are trained on: `read_file` with
numbered lines, an offset and a limit (never cut in the middle), `write_file` with an append mode for
files too large for one reply, `edit_file` with `old_string` / `new_string` / `replace_all` that shows
the closest text on a miss, `grep` and `glob`."""

from __future__ import annotations

import difflib
import fnmatch
import shlex

from agent.founder_safe import clean_output
from agent.services.sandbox import SandboxError
from agent.tool_base import ToolContext, ToolResult, text

READ_LINES = 400  # lines a read returns unless told otherwise
READ_CHARS = 60_000  # at most this much text in one read: the rest is a further read away
LINE_CHARS = 2_000  # a longer line is shown cut
CLOSEST_MAX_LINES = 4_000  # files longer than this are not searched for a near miss


def _numbered(lines: list[str], first: int) -> str:
    return "\n".join(f"{n:>6}\t{line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + ' …[line cut]'}"
                     for n, line in enumerate(lines, start=first))


async def read_file(ctx: ToolContext, path: str, offset: int = 1, limit: int = READ_LINES) -> ToolResult:
    lines = text(await ctx.sandbox.read_file(path)).splitlines()
    first, count = max(int(offset), 1), min(max(int(limit), 1), 5_000)
    if not lines:
        return ToolResult(f"{path} is empty.", f"Read {path}", uncut=True)
    if first > len(lines):
        return ToolResult(f"{path} has only {len(lines)} lines; offset {first} is past its end.",
                          f"Read {path}", uncut=True)
    chosen, size = [], 0
    for line in lines[first - 1:first - 1 + count]:
        size += min(len(line), LINE_CHARS) + 8
        if chosen and size > READ_CHARS:
            break
        chosen.append(line)
    last = first + len(chosen) - 1
    body = _numbered(chosen, first)
    if first > 1 or last < len(lines):
        more = f"; read on with offset={last + 1}" if last < len(lines) else ""
        body += f"\n[lines {first}-{last} of {len(lines)}{more}]"
    return ToolResult(body, f"Read {path}", uncut=True)


async def write_file(ctx: ToolContext, path: str, content: str, append: bool = False) -> ToolResult:
    if append:
        try:
            before = await ctx.sandbox.read_file(path)
        except SandboxError:  # no such file yet: the first part
            before = b""
        await ctx.sandbox.write_file(path, before + content.encode())
    else:
        await ctx.sandbox.write_file(path, content.encode())
    lines = content.count("\n") + (0 if content.endswith("\n") or not content else 1)
    said = f"{lines} line{'' if lines == 1 else 's'}"
    verb = "Added" if append else "Wrote"
    return ToolResult(f"{verb} {said} to {path}.", f"{verb} {said} to {path}")


def closest(haystack: str, needle: str) -> str:
    """The lines of `haystack` most like `needle`, numbered, or "" when nothing is close."""
    lines, want = haystack.splitlines(), needle.strip("\n").splitlines() or [needle]
    if not lines or len(lines) > CLOSEST_MAX_LINES:
        return ""
    size, best, where = len(want), 0.0, 0
    target = "\n".join(want)
    for start in range(0, max(len(lines) - size, 0) + 1):
        matcher = difflib.SequenceMatcher(None, "\n".join(lines[start:start + size]), target, autojunk=False)
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and (ratio := matcher.ratio()) > best:
            best, where = ratio, start
    if best < 0.5:
        return ""
    return _numbered(lines[where:where + size], where + 1)


async def edit_file(ctx: ToolContext, path: str, old_string: str | None = None, new_string: str | None = None,
                    replace_all: bool = False, old: str | None = None, new: str | None = None) -> ToolResult:
    old_string = old_string if old_string is not None else old  # "old"/"new": the earlier names, still read
    new_string = new_string if new_string is not None else new
    if old_string is None or new_string is None:
        raise TypeError("edit_file needs old_string and new_string")
    if old_string == new_string:
        return ToolResult("old_string and new_string are the same: nothing to change.", f"Could not edit {path}",
                          is_error=True)
    content = text(await ctx.sandbox.read_file(path))
    count = content.count(old_string) if old_string else 0
    if count == 0 or (count > 1 and not replace_all):
        if count:
            why = (f"old_string appears {count} times in {path}; give more surrounding lines so it appears once, "
                   "or set replace_all to change every one.")
        else:
            near = closest(content, old_string)
            why = f"old_string was not found in {path}." + (
                f" The closest text is:\n{near}\n(copy it exactly, without the line numbers)" if near
                else " Read the file again and copy the text exactly.")
        return ToolResult(why, f"Could not edit {path}", is_error=True)
    await ctx.sandbox.write_file(path, content.replace(old_string, new_string, -1 if replace_all else 1).encode())
    said = f" ({count} places)" if count > 1 else ""
    return ToolResult(f"Edited {path}{said}.", f"Edited {path}")


async def grep(ctx: ToolContext, pattern: str, path: str = ".") -> ToolResult:
    where = "." if path in ("", ".") else shlex.quote(path)
    result = await ctx.sandbox.run(f"grep -rnIE --exclude-dir=.git -e {shlex.quote(pattern)} {where} | head -200",
                                   timeout=30)
    found = clean_output(result.output).strip()
    return ToolResult(found or "No matches.", f"Searched the code for “{pattern[:40]}”")


async def glob(ctx: ToolContext, pattern: str) -> ToolResult:
    files = await ctx.sandbox.list_files()
    matched = [f for f in files if fnmatch.fnmatch(f, pattern) or fnmatch.fnmatch(f, pattern.replace("**/", ""))]
    return ToolResult("\n".join(matched) or "No files match.", f"Listed files matching {pattern}")
