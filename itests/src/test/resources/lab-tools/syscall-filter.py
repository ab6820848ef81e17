#!/usr/bin/python3
"""Runs a command under the seccomp filter a systemd unit's SystemCallFilter= would give it, for a system test on a
machine without systemd as init: allow-list = the groups and names given (expanded with systemd-analyze), every
other system call fails with EPERM (SystemCallErrorNumber=EPERM), native architecture only.
Usage: syscall-filter.py @system-service [more] -- command args..."""
import ctypes
import errno
import os
import subprocess
import sys

sep = sys.argv.index("--")
wanted, command = sys.argv[1:sep], sys.argv[sep + 1:]


def expand(name, seen):
    if not name.startswith("@"):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True, capture_output=True,
                         text=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names |= expand(line, seen)
    return names


syscalls = set()
for w in wanted:
    syscalls |= expand(w, set())

lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
lib.seccomp_init.restype = ctypes.c_void_p
lib.seccomp_init.argtypes = [ctypes.c_uint32]
lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_load.argtypes = [ctypes.c_void_p]
SCMP_ACT_ALLOW = 0x7fff0000
SCMP_ACT_ERRNO = 0x00050000 | errno.EPERM
ctx = lib.seccomp_init(SCMP_ACT_ERRNO)
allowed = 0
for name in sorted(syscalls):
    nr = lib.seccomp_syscall_resolve_name(name.encode())
    if nr < 0:
        continue  # not on this architecture
    if lib.seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0:
        allowed += 1
if lib.seccomp_load(ctx) != 0:
    sys.exit("seccomp_load failed (no_new_privs or CAP_SYS_ADMIN needed)")
sys.stderr.write("syscall-filter: %d system calls allowed (%s)\n" % (allowed, " ".join(wanted)))
os.execvp(command[0], command)
