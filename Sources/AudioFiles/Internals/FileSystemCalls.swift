// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
import Glibc

// The file system and process calls AudioFiles makes itself (libsndfile makes its own), in one
// place. A failed call returns nil (or false) and leaves `errno` set.

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

/// Wraps `unlink`.
func system_unlink(_ path: String) {
    _ = unlink(path)
}

/// Wraps `getpid`.
func system_getpid() -> Int32 {
    getpid()
}

/// Wraps `geteuid`.
func system_geteuid() -> uid_t {
    geteuid()
}

/// Wraps `time(NULL)`: the seconds since the epoch.
func system_time() -> Int {
    time(nil)
}

/// Wraps `kill(processID, 0)`: whether no process has that id.
func system_kill_isGone(_ processID: Int32) -> Bool {
    kill(processID, 0) != 0 && errno == ESRCH
}
