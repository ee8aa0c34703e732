/// Samples set up once and then used through a pointer, whose memory goes with the last reference
/// to them: nothing to free by hand, and reading or writing them allocates nothing
/// (`withUnsafeMutablePointerToElements`).
typealias SampleStorage = ManagedBuffer<Void, Float>

extension ManagedBuffer where Header == Void, Element == Float {
    /// `count` samples, all 0.
    static func zeroed(count: Int) -> ManagedBuffer<Void, Float> {
        let storage = create(minimumCapacity: count) { _ in }
        storage.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: count) }
        return storage
    }
}
