import Dispatch

/// Maps `items` on all cores, keeping their order.
///
/// Each task writes only its own slot of the result buffer, which is why
/// the unchecked `Sendable` box below is sound.
func parallelMap<T: Sendable, R: Sendable>(
    _ items: [T], _ transform: @Sendable (T) -> R
) -> [R] {
    if items.count == 1 { return [transform(items[0])] }
    let slots = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
    slots.initialize(repeating: nil)
    defer { slots.deallocate() }
    let box = UnsafeSlots(slots)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        box.pointer[i] = transform(items[i])
    }
    let results = slots.map { $0! }
    _ = slots.deinitialize()
    return results
}

private struct UnsafeSlots<R>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<R?>
    init(_ pointer: UnsafeMutableBufferPointer<R?>) { self.pointer = pointer }
}
