"""Opening an uploaded zip container (XLSX, DOCX) without letting its directory decide how much memory is used.

`zipfile.ZipFile` reads the whole central directory into memory, one object per entry, before anything can be
checked; a 20 MB file of empty entries would make it build hundreds of thousands of them. `open_zip` reads the
directory's declared size from the end record first and refuses a directory no office document needs.
"""

import struct
import zipfile

# An office document has tens of parts, a big workbook a few hundred; 1 MiB of directory is ~10,000 entries.
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 65535


def central_directory_size(handle) -> int | None:
    """The central directory size declared by the end record of the zip in `handle`, or None if there is none."""
    handle.seek(0, 2)
    length = handle.tell()
    start = max(0, length - _END_RECORD_SIZE - _MAX_COMMENT)
    handle.seek(start)
    tail = handle.read()
    position = tail.rfind(_END_RECORD)
    if position < 0 or len(tail) - position < _END_RECORD_SIZE:
        return None
    _disk, _cd_disk, _here, entries, size, _offset, _comment = struct.unpack(
        "<HHHHIIH", tail[position + 4:position + _END_RECORD_SIZE])
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # ZIP64: far more than an office document holds
        return MAX_CENTRAL_DIRECTORY_BYTES + 1
    return size


def open_zip(handle) -> zipfile.ZipFile:
    """A ZipFile over `handle` (a seekable binary file); zipfile.BadZipFile if it is not a zip or its directory
    is larger than MAX_CENTRAL_DIRECTORY_BYTES."""
    size = central_directory_size(handle)
    if size is None:
        raise zipfile.BadZipFile("no end of central directory record")
    if size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise zipfile.BadZipFile("central directory too large")
    handle.seek(0)
    try:
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        raise zipfile.BadZipFile(str(exc)) from exc
