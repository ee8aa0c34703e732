/// A problem with what the renderer or meter was asked to do, said as a sentence.
public struct SynthesisError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
