// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
import Glibc

// The file system calls AudioFiles makes itself (libsndfile makes its own), in one place. A failed
// call returns nil (or false) and leaves `errno` set.

/// Wraps `stat`: what `path` leads to, links followed.
func system_stat(_ path: String) -> stat? {
    var status = stat()
    return stat(path, &status) == 0 ? status : nil
}

/// Wraps `lstat`: what is at `path` itself, a link not followed.
func system_lstat(_ path: String) -> stat? {
    var status = stat()
    return lstat(path, &status) == 0 ? status : nil
}

/// Wraps `access(path, R_OK)`: whether this user may read the file.
func system_access_readable(_ path: String) -> Bool {
    access(path, R_OK) == 0
}

/// Wraps `strerror`.
func system_strerror(_ errorNumber: Int32) -> String {
    String(cString: strerror(errorNumber))
}
