extension Array {
    /// The same elements in storage sized to them, or `self` when it has no spare room.
    ///
    /// For arrays that are built by appending and then kept for long: decoding grows an array
    /// by doubling, and the room it grew into is held as long as the array is.
    func withoutSpareCapacity() -> [Element] {
        guard capacity > count else { return self }
        var exact: [Element] = []
        exact.reserveCapacity(count)
        exact.append(contentsOf: self)
        return exact
    }
}
