// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CExportSupport
import Glibc

// Every file system call of Export's safe writes, in one place. Each function wraps the call it is
// named after, retries on EINTR where the call can be interrupted, and does nothing else. A failed
// call returns -1 (or nil) and leaves `errno` set.

/// Wraps `open` with `O_CLOEXEC` added.
func system_open(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags | O_CLOEXEC)
}

/// Wraps `openat` with `O_CLOEXEC` added, creating files with `mode` (less the umask).
func system_openat(_ directory: Int32, _ name: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    while true {
        let descriptor = openat(directory, name, flags | O_CLOEXEC, mode)
        if descriptor < 0 && errno == EINTR { continue }
        return descriptor
    }
}

/// Wraps `fstatat` with `AT_SYMLINK_NOFOLLOW`: what is at `name` itself, a link not followed.
func system_fstatat_nofollow(_ directory: Int32, _ name: String) -> stat? {
    var status = stat()
    return fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 ? status : nil
}

/// Wraps `mkdir`, with the mode an ordinary folder gets (0777 less the umask).
func system_mkdir(_ path: String) -> Int32 {
    mkdir(path, 0o777)
}

/// Wraps `stat`.
func system_stat(_ path: String) -> stat? {
    var status = stat()
    return stat(path, &status) == 0 ? status : nil
}

/// Wraps `fstat`.
func system_fstat(_ descriptor: Int32) -> stat? {
    var status = stat()
    return fstat(descriptor, &status) == 0 ? status : nil
}

/// Wraps `renameat`.
func system_renameat(_ directory: Int32, _ from: String, _ to: String) -> Int32 {
    renameat(directory, from, directory, to)
}

/// Wraps `linkat` (no flags: a symbolic link at `from` is linked, not followed).
func system_linkat(_ directory: Int32, _ from: String, _ to: String) -> Int32 {
    linkat(directory, from, directory, to, 0)
}

/// Wraps `unlinkat` for a file (not a directory).
@discardableResult
func system_unlinkat(_ directory: Int32, _ name: String) -> Int32 {
    unlinkat(directory, name, 0)
}

/// Wraps `fchmod`.
@discardableResult
func system_fchmod(_ descriptor: Int32, _ mode: mode_t) -> Int32 {
    fchmod(descriptor, mode)
}

/// Wraps `fsync`, retrying on EINTR.
func system_fsync(_ descriptor: Int32) -> Int32 {
    while true {
        let result = fsync(descriptor)
        if result < 0 && errno == EINTR { continue }
        return result
    }
}

/// Wraps `close`.
@discardableResult
func system_close(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

/// Wraps `write`, retrying on EINTR and after a short write until all of `bytes` is written.
/// Returns the bytes written; fewer than asked means the call failed and `errno` says why.
func system_write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    var done = 0
    while done < count {
        let result = write(descriptor, bytes + done, count - done)
        if result < 0 && errno == EINTR { continue }
        if result <= 0 { break }
        done += result
    }
    return done
}

/// Wraps `read`, retrying on EINTR until `count` bytes or the end of the file.
func system_read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    var done = 0
    while done < count {
        let result = read(descriptor, buffer + done, count - done)
        if result < 0 && errno == EINTR { continue }
        if result < 0 { return -1 }
        if result == 0 { break }
        done += result
    }
    return done
}

/// Wraps `lseek`.
func system_lseek(_ descriptor: Int32, _ offset: Int64, _ whence: Int32) -> Int64 {
    Int64(lseek(descriptor, off_t(offset), whence))
}

/// Wraps `soothe_start_writeback` (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`).
func system_start_writeback(_ fileDescriptor: Int32, offset: Int64, length: Int64) {
    _ = soothe_start_writeback(fileDescriptor, offset, length)
}

/// Wraps `fpathconf(_PC_NAME_MAX)`: the longest file name the directory takes, in bytes.
func system_fpathconf_nameMax(_ directory: Int32) -> Int {
    let limit = fpathconf(directory, Int32(_PC_NAME_MAX))
    return limit > 0 ? limit : 255
}

/// Wraps `opendir`, `readdir` and `closedir`: the names in a directory, `.` and `..` left out.
func system_readdir(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// Wraps `geteuid`.
func system_geteuid() -> uid_t {
    geteuid()
}

/// Wraps `isatty`.
func system_isatty(_ descriptor: Int32) -> Bool {
    isatty(descriptor) == 1
}

/// Wraps `strerror`.
func system_strerror(_ errorNumber: Int32) -> String {
    String(cString: strerror(errorNumber))
}
