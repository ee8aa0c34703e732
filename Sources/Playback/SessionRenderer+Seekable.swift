import Synthesis

/// The session renderer seeks to any frame between blocks, so the transport can drive it.
extension SessionRenderer: SeekableFrameSource {}
