#!/usr/bin/env python3
"""Makes TorchSharp's libLibTorchSharp.so loadable where the system libstdc++ predates GCC 13.

TorchSharp 0.107's native library was built with GCC >= 13 and asks for GLIBCXX_3.4.32 for exactly
one symbol, std::ios_base_library_init(). GCC 13 emits a call to it from the static initializer of
every translation unit that includes <iostream>; it makes sure the standard streams exist. With an
older libstdc++ (Debian 12 and Ubuntu 22.04 ship GCC 12's) the streams are already set up by the
std::ios_base::Init objects that the other libtorch translation units construct, so the call has
nothing to do. The fix, on a copy in a build output (never in the NuGet cache):
  1. the symbol's reference is redirected to libc's getpid(), a call with no effect here (the name
     in .dynstr is overwritten in place, only after checking nothing else shares those bytes);
  2. the reference loses its version (.gnu.version entry -> 1, "global");
  3. the GLIBCXX_3.4.32 requirement is marked weak (VER_FLG_WEAK), so the loader does not refuse it.
The file is written next to the original and renamed over it, so a hard link to the NuGet cache is
replaced, never written through.

Usage: glibcxx_compat.py check <libstdc++ path>           -> prints "needed" or "not-needed"
       glibcxx_compat.py patch <libLibTorchSharp.so>       -> prints "patched", "already" or fails
       glibcxx_compat.py status <libLibTorchSharp.so>      -> prints "stock", "patched" or "other"
Exit status 0 on success; 2 with one line on stderr when the file is not what the fix expects.
"""
import os
import struct
import sys
import tempfile

SYMBOL = b"_ZSt21ios_base_library_initv"
VERSION = b"GLIBCXX_3.4.32"
REPLACEMENT = b"getpid"
VER_FLG_WEAK = 0x2


class ElfError(Exception):
    pass


def sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ElfError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    if shoff == 0 or shentsize != 64 or shoff + shnum * 64 > len(data):
        raise ElfError("bad section header table")
    raw = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64) for i in range(shnum)]
    names_off = raw[shstrndx][4]

    def name(off):
        end = data.index(b"\0", names_off + off)
        return data[names_off + off:end].decode()

    return {name(s[0]): {"type": s[1], "offset": s[4], "size": s[5], "link": s[6], "info": s[7], "entsize": s[9]}
            for s in raw}


def cstr(data, off):
    return data[off:data.index(b"\0", off)]


def locate(data):
    """Returns the offsets the patch touches, and whether the file is stock or already patched."""
    sec = sections(data)
    for needed in (".dynsym", ".dynstr", ".gnu.version", ".gnu.version_r"):
        if needed not in sec:
            raise ElfError(f"no {needed} section")
    dynsym, dynstr, versym, verneed = sec[".dynsym"], sec[".dynstr"], sec[".gnu.version"], sec[".gnu.version_r"]
    s0 = dynstr["offset"]
    count = dynsym["size"] // 24
    name_offsets = []
    target = None
    for i in range(count):
        st_name, = struct.unpack_from("<I", data, dynsym["offset"] + i * 24)
        name_offsets.append(st_name)
        nm = cstr(data, s0 + st_name)
        if nm in (SYMBOL, REPLACEMENT) and target is None:
            shndx, = struct.unpack_from("<H", data, dynsym["offset"] + i * 24 + 6)
            if shndx == 0:  # undefined: a reference
                target = (i, st_name, nm)
    # The version requirement entry.
    aux = None
    off = verneed["offset"]
    other_refs = []
    while True:
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, off)
        a = off + vn_aux
        for _ in range(vn_cnt):
            vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, a)
            other_refs.append(vna_name)
            if cstr(data, s0 + vna_name) == VERSION:
                aux = (a, vna_flags, vna_other)
            if vna_next == 0:
                break
            a += vna_next
        other_refs.append(vn_file)
        if vn_next == 0:
            break
        off += vn_next
    if target is None:
        raise ElfError(f"no reference to {SYMBOL.decode()}")
    index, name_off, current = target
    vs_off = versym["offset"] + index * 2
    version_index, = struct.unpack_from("<H", data, vs_off)
    if current == REPLACEMENT:
        if aux is None or aux[1] & VER_FLG_WEAK == 0 or version_index != 1:
            raise ElfError("half-patched file")
        return "patched", None
    if aux is None:
        raise ElfError(f"{SYMBOL.decode()} is referenced but {VERSION.decode()} is not required")
    if version_index != aux[2]:
        raise ElfError(f"{SYMBOL.decode()} is not bound to {VERSION.decode()}")
    # Nothing else may point into the bytes that get overwritten (string tails can be shared).
    lo, hi = name_off, name_off + len(SYMBOL)
    for i, o in enumerate(name_offsets):
        if i != index and lo <= o <= hi:
            raise ElfError("the symbol's name shares bytes with another name")
    if any(lo <= o <= hi for o in other_refs):
        raise ElfError("the symbol's name shares bytes with a version name")
    # No other symbol may use the version index being weakened (it would lose its check).
    for i in range(count):
        if i != index and struct.unpack_from("<H", data, versym["offset"] + i * 2)[0] & 0x7FFF == aux[2]:
            raise ElfError(f"another symbol also needs {VERSION.decode()}")
    return "stock", {"name": s0 + name_off, "versym": vs_off, "aux_flags": aux[0] + 4, "flags": aux[1]}


def patch(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    state, where = locate(data)
    if state == "patched":
        return "already"
    name = where["name"]
    data[name:name + len(SYMBOL)] = REPLACEMENT + b"\0" * (len(SYMBOL) - len(REPLACEMENT))
    struct.pack_into("<H", data, where["versym"], 1)
    struct.pack_into("<H", data, where["aux_flags"], where["flags"] | VER_FLG_WEAK)
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o777
    fd, tmp = tempfile.mkstemp(prefix=".libLibTorchSharp.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return "patched"


def needed(libstdcxx):
    with open(libstdcxx, "rb") as f:
        return b"\0" + VERSION + b"\0" not in f.read()


def main(argv):
    if len(argv) != 3 or argv[1] not in ("check", "patch", "status"):
        print(__doc__.strip().splitlines()[-4:][0], file=sys.stderr)
        return 2
    try:
        if argv[1] == "check":
            print("needed" if needed(argv[2]) else "not-needed")
        elif argv[1] == "patch":
            print(patch(argv[2]))
        else:
            with open(argv[2], "rb") as f:
                data = f.read()
            try:
                print(locate(data)[0])
            except ElfError:
                print("other")
        return 0
    except (OSError, ElfError) as e:
        print(f"glibcxx_compat: {argv[2]}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
