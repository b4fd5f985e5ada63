"""Why a file could not be read or written, in Chinese: the operating system's reasons come in English
(``strerror``), and people read this tool in Chinese."""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在磁盘只读",
    errno.ENOENT: "所在文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EEXIST: "文件已存在",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EFBIG: "文件过大",
    errno.EIO: "读写出错（磁盘或网络盘故障）",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "打开的文件过多",
}


def os_reason(exc: OSError) -> str:
    """The reason of ``exc`` in Chinese ("磁盘空间不足"); for an errno not listed, "系统错误 " and its code name
    ("系统错误 ELOOP"); for an OSError with no errno, its text."""
    if exc.errno is None:
        return str(exc) or type(exc).__name__
    return REASONS.get(exc.errno) or f"系统错误 {errno.errorcode.get(exc.errno, exc.errno)}"
