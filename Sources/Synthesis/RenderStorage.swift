/// Memory the render path reads and writes, made at set-up: `count` elements, each `value`,
/// tail-allocated in one `ManagedBuffer` that ARC frees with its last reference, and a pointer to
/// them.
///
/// Owners store the buffer beside the pointer, and the render path uses only the pointer. A
/// ManagedBuffer's elements live inside the object and never move, so the pointer is good for as
/// long as its owner holds the buffer. Reaching the elements through the buffer on every access
/// would not do: the compiler copies a class reference read from a stored property (a retain and
/// a release), and `@_noAllocation` refuses the release. The elements are plain values (samples,
/// oscillators, small structs), so nothing needs deinitialising when the buffer goes.
func makeRenderStorage<Element>(
    count: Int, repeating value: Element
) -> (buffer: ManagedBuffer<Void, Element>, elements: UnsafeMutablePointer<Element>) {
    precondition(_isPOD(Element.self), "render storage holds plain values only")
    let capacity = max(count, 1)
    let buffer = ManagedBuffer<Void, Element>.create(minimumCapacity: capacity) { _ in }
    let elements = buffer.withUnsafeMutablePointerToElements { elements in
        elements.initialize(repeating: value, count: capacity)
        return elements
    }
    return (buffer, elements)
}

/// `count` samples of silence on a 32-byte boundary, so that the kernels may read and write them
/// eight at a time as `Lanes`; the buffer holds `Lanes`, the pointer sees `Float`s.
func makeSampleStorage(count: Int) -> (buffer: ManagedBuffer<Void, Lanes>, samples: UnsafeMutablePointer<Float>) {
    let laneCount = (count + 7) / 8
    let (buffer, lanes) = makeRenderStorage(count: laneCount, repeating: Lanes())
    let samples = UnsafeMutableRawPointer(lanes).bindMemory(to: Float.self, capacity: max(laneCount, 1) * 8)
    return (buffer, samples)
}

/// The elements of `source` in render storage.
func makeRenderStorage<Element>(
    copying source: [Element]
) -> (buffer: ManagedBuffer<Void, Element>, elements: UnsafeMutableBufferPointer<Element>) {
    precondition(_isPOD(Element.self), "render storage holds plain values only")
    let buffer = ManagedBuffer<Void, Element>.create(minimumCapacity: max(source.count, 1)) { _ in }
    let elements = buffer.withUnsafeMutablePointerToElements { elements in
        _ = UnsafeMutableBufferPointer(start: elements, count: source.count).initialize(fromContentsOf: source)
        return UnsafeMutableBufferPointer(start: elements, count: source.count)
    }
    return (buffer, elements)
}
