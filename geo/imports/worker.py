"""Reading an uploaded file in a worker process with a memory and a time limit (:mod:`geo.core.limits`).

The readers are bounded one by one (rows, cells, merged ranges, vertices, cell length), but a parser bug, known
or not, must not take the server down for every user: the reading phase of every import kind runs here, in a
child process whose address space is capped (``RLIMIT_AS``) and which is killed when it runs too long.  A limit
that is hit refuses the file with a message naming the limit; nothing is stored, since storing happens after.

Children are forked from a *forkserver*: a clean process started once, with the readers' libraries imported,
so a child starts in milliseconds and never inherits the Streamlit server's threads (forking a threaded process
can deadlock).  The reader's result comes back pickled; a user error raised by the reader comes back as its
message, with its catalogue key and values so that the page says it in one language.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import resource
import time
import traceback
from typing import Any, Callable

from geo.core import limits
from geo.core.errors import UserError
from geo.imports.results import ImportRefused, UnreadableFile, refused

#: what the forkserver imports once, so that each child starts with the readers loaded (and this module, whose
#: function each child runs)
PRELOAD = ["geo.sources.ledger", "geo.sources.servicelog", "geo.sources.boundaries", "geo.sources.division_list",
           "geo.imports.worker"]
_POLL_SECONDS = 0.1
#: set VILLAGE_COVERAGE_IN_PROCESS_READS=1 to read in the calling process (a debugger, a profiler)
IN_PROCESS = os.environ.get("VILLAGE_COVERAGE_IN_PROCESS_READS") == "1"

_context: Any = None


def _ctx() -> Any:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _address_space() -> int:
    """The bytes of address space this process holds now (its VmSize)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(send: Any, reader: Callable[..., Any], args: tuple, kwargs: dict, memory: int, seconds: int) -> None:
    """In the worker: cap memory and CPU time, read, and send back ("ok", result) or why not."""
    try:
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 1, seconds + 2))
        message: tuple = ("ok", reader(*args, **kwargs))
    except MemoryError:
        message = ("memory",)
    except UserError as e:
        message = ("refused", str(e), _picklable(e.msg), isinstance(e, ImportRefused))
    except Exception:  # noqa: BLE001 - a parser bug: refused, and its traceback kept for the log
        message = ("failed", traceback.format_exc(limit=-8))
    try:
        send.send(message)
    except MemoryError:
        send.send(("memory",))
    finally:
        send.close()


def read_limited(reader: Callable[..., Any], *args: Any, file_name: str, memory: int | None = None,
                 seconds: float | None = None, **kwargs: Any) -> Any:
    """``reader(*args, **kwargs)`` run in a worker under the memory and time limits; its result.

    Raises :class:`ImportRefused` naming `file_name` and the limit when one is hit, with the reader's own
    message when it refuses the file, and a plain refusal when the reader fails or the worker dies.
    """
    memory = limits.PARSE_MEMORY_BYTES if memory is None else memory
    seconds = limits.PARSE_SECONDS if seconds is None else seconds
    if IN_PROCESS:
        try:
            return reader(*args, **kwargs)
        except UserError as e:
            raise _refusal(str(e), e.msg, isinstance(e, ImportRefused)) from None
    ctx = _ctx()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, reader, args, kwargs, memory, int(seconds)), daemon=True)
    process.start()
    send.close()
    try:
        message = _wait(receive, process, seconds)
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if message is None:
        raise refused("limit.time", file=file_name, seconds=f"{seconds:g}")
    if message[0] == "ok":
        return message[1]
    if message[0] == "refused":
        raise _refusal(*message[1:])
    if message[0] == "failed":
        logging.getLogger(__name__).error("reading %s failed in its worker:\n%s", file_name, message[1])
        raise refused("limit.failed", file=file_name)
    raise refused("limit.memory", file=file_name, mb=f"{memory // 1024**2:,}")


def _picklable(msg: Any) -> Any:
    """A reader's catalogue message as it can cross back to the app, or None (its bilingual text then does)."""
    try:
        pickle.dumps(msg)
        return msg
    except Exception:  # noqa: BLE001 - any value pickle refuses: the text alone goes back
        return None


def _refusal(text: str, msg: Any = None, import_refusal: bool = False) -> ImportRefused:
    """The reader's refusal in the app, with its catalogue key and values when it had them: an import's own
    refusal (a limit ...) as it was raised, said in the page's language; a file its reader could not read as
    :class:`UnreadableFile`, said in both languages."""
    if msg is None:
        return UnreadableFile(text)
    kind = ImportRefused if import_refusal else UnreadableFile
    return kind(key=msg.key, params=msg.params)


def _wait(receive: Any, process: Any, seconds: float) -> tuple | None:
    """The worker's message; ("memory",) when it died without one; None when it ran out of time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if receive.poll(_POLL_SECONDS):
            try:
                return receive.recv()
            except (EOFError, OSError):
                return ("memory",)   # died while sending: out of memory past what Python could catch
            except MemoryError:
                return ("memory",)
        if not process.is_alive() and not receive.poll(0):
            return ("memory",)   # killed (the kernel, RLIMIT_CPU) or crashed before it could say why
    return None
