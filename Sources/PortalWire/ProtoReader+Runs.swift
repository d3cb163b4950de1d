/// Runs of one repeated field: its elements encoded one after another, each record with the
/// same key. Generated decoders hand a run of `string`, `bytes` or message elements to one
/// call here instead of going back through their field switch for each element.
///
/// A field's first run (the array still empty, as it is for nearly every field) is decoded
/// into stack space first and moved into a new array of the exact size afterwards
/// (`readFirstRun`); only a run longer than that space has its remaining records counted to
/// size the array. Besides sparing the count pass, this orders the allocations the way
/// glibc's malloc serves best: the elements' own storage (every `String` longer than 15
/// bytes, every `[UInt8]`) is allocated before the array's. Decoding and dropping messages
/// in a loop frees the previous message's strings into malloc's fast bins, and an
/// allocation of 1 KiB or more (the array of a run of 63 strings or more) first merges
/// every chunk in those bins (`malloc_consolidate`); when the strings come first they reuse
/// those chunks and leave little to merge. See docs/PERFORMANCE.md.
extension ProtoReader {
    /// If the next key is `key` in its canonical one- or two-byte encoding, consumes it.
    /// Generated decoders use it to stay on a run of elements of one repeated field instead
    /// of going back through the field switch for each element; any other encoding (or a
    /// longer key) returns false and the switch handles it as before.
    @inlinable @inline(__always)
    public mutating func consumeKey(_ key: UInt32) -> Bool {
        if key < 0x80 {
            guard cursor < end, cursor.load(as: UInt8.self) == UInt8(truncatingIfNeeded: key) else { return false }
            cursor += 1
            return true
        }
        if key < 0x4000 {
            let encoded = UInt16(truncatingIfNeeded: (key & 0x7F) | 0x80 | ((key &>> 7) &<< 8))
            guard end - cursor >= 2, UInt16(littleEndian: cursor.loadUnaligned(as: UInt16.self)) == encoded else { return false }
            cursor += 2
            return true
        }
        return false
    }

    /// How many length-delimited records form the run that starts at the cursor: this one
    /// (its key already read) and each directly following one with the canonical encoding of
    /// `key`. Only headers are read; a record that does not fit ends the count (the decode
    /// that follows reports it). Used to size an array once before decoding the run.
    @inlinable
    func lengthDelimitedRunCount(key: UInt32) -> Int {
        var count = 0
        var p = cursor
        if key < 0x4000 {
            // Keys of one or two bytes and lengths below 128 (short strings, small messages):
            // one load per length and per key; a longer length goes to the general loop
            // below, from the record it could not read.
            let keySize = key < 0x80 ? 1 : 2
            let encodedKey = key < 0x80
                ? UInt16(truncatingIfNeeded: key)
                : UInt16(truncatingIfNeeded: (key & 0x7F) | 0x80 | ((key &>> 7) &<< 8))
            while p < end {
                let length = Int(p.load(as: UInt8.self))
                guard length < 0x80 else { break }
                // The length byte and the payload must fit; a record that does not ends the run.
                guard length < end - p else { return count }
                p += 1 &+ length
                count &+= 1
                guard end - p >= keySize else { return count }
                if keySize == 1 {
                    guard UInt16(p.load(as: UInt8.self)) == encodedKey else { return count }
                } else {
                    guard UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)) == encodedKey else { return count }
                }
                p += keySize
            }
            if p >= end { return count }
        }
        var probe = ProtoReader(cursor: p, end: end, depth: depth)
        while true {
            guard let length = try? probe.readLength() else { return count }
            probe.cursor += length
            count &+= 1
            guard probe.consumeKey(key) else { return count }
        }
    }

    /// Makes room for `more` elements. Grows at least geometrically, so that many short
    /// runs of one field (interleaved with other fields) still cost amortised O(1) each:
    /// `reserveCapacity` alone allocates exactly what is asked, which would copy the array
    /// on every run.
    @inlinable
    static func reserve<T>(_ array: inout [T], _ more: Int) {
        let needed = array.count &+ more
        if needed > array.capacity {
            array.reserveCapacity(Swift.max(needed, array.capacity &* 2))
        }
    }

    // MARK: Decoding a run

    /// Reads the element whose key `key` was just read, then every directly following
    /// element with the same key, appending each to `array`.
    @inlinable
    public mutating func readRepeatedStrings(key: UInt32, fieldNumber: Int, into array: inout [String]) throws(ProtoDecodingError) {
        try readRepeated(key: key, into: &array) { r throws(ProtoDecodingError) in
            try r.readString(fieldNumber: fieldNumber)
        } counted: { r, count, base, failure in
            r.readCountedStringRun(key: key, count: count, fieldNumber: fieldNumber, into: base, &failure)
        }
    }

    /// `readRepeatedStrings` for `bytes` elements.
    @inlinable
    public mutating func readRepeatedBytes(key: UInt32, into array: inout [[UInt8]]) throws(ProtoDecodingError) {
        try readRepeated(key: key, into: &array) { r throws(ProtoDecodingError) in try r.readBytes() }
    }

    /// `readRepeatedStrings` for message elements.
    @inlinable
    public mutating func readRepeatedMessages<M: ProtoMessage>(key: UInt32, into array: inout [M]) throws(ProtoDecodingError) {
        try readRepeated(key: key, into: &array) { r throws(ProtoDecodingError) in try r.readMessage(M.self) }
    }

    // MARK: How a run is decoded

    /// The stack space a first run is staged in: 1 KiB, the size `withUnsafeTemporaryAllocation`
    /// always places on the stack (above it, the standard library asks the runtime how much
    /// stack is left, or uses the heap). 64 strings, 128 byte arrays, fewer messages.
    @inlinable static var stageBytes: Int { 1024 }

    /// The shortest run given a new array's storage through `Array(unsafeUninitializedCapacity:)`.
    /// Below it, appending to a reserved array is cheaper: that initialiser allocates through
    /// a non-specialised standard-library entry point that looks up the storage class's
    /// generic metadata on every call (over a hundred instructions), while `reserveCapacity`
    /// is specialised in the caller; appending costs some twenty instructions an element.
    @inlinable static var directRunMinimum: Int { 16 }

    /// A run of `element`s: a field's first run (the array empty) through `readFirstRun`,
    /// whose records past the stage `counted` decodes; a later run through `readCountedRun`.
    @inlinable @inline(__always)
    mutating func readRepeated<T>(
        key: UInt32, into array: inout [T],
        _ element: (inout ProtoReader) throws(ProtoDecodingError) -> T,
        counted: (inout ProtoReader, _ count: Int, _ base: UnsafeMutablePointer<T>, _ failure: inout ProtoDecodingError?) -> Int
    ) throws(ProtoDecodingError) {
        guard array.isEmpty else { return try readCountedRun(key: key, into: &array, element) }
        try readFirstRun(key: key, into: &array, element, counted: counted)
    }

    /// `readRepeated` whose counted records are read by `element` too (`readRun`).
    @inlinable @inline(__always)
    mutating func readRepeated<T>(
        key: UInt32, into array: inout [T], _ element: (inout ProtoReader) throws(ProtoDecodingError) -> T
    ) throws(ProtoDecodingError) {
        try readRepeated(key: key, into: &array, element) { r, count, base, failure in
            r.readRun(key: key, count: count, into: base, &failure, element)
        }
    }

    /// Decodes a field's first run (the first key already read) into the empty `array`.
    /// Up to `stageBytes` of elements are decoded into stack space, each record checked as
    /// `element` reads it; if the run goes on past them, the remaining records are counted
    /// (`lengthDelimitedRunCount`) and decoded by `counted` straight into the array, which is
    /// allocated once, at its final size, after the staged elements' own storage.
    /// An error stops the run: the elements decoded before it stay in `array` and the error
    /// is thrown. A record the count found not to fit is read element-wise, which reports it.
    @inlinable @inline(__always)
    mutating func readFirstRun<T>(
        key: UInt32, into array: inout [T],
        _ element: (inout ProtoReader) throws(ProtoDecodingError) -> T,
        counted: (inout ProtoReader, _ count: Int, _ base: UnsafeMutablePointer<T>, _ failure: inout ProtoDecodingError?) -> Int
    ) throws(ProtoDecodingError) {
        // Elements larger than the stage (messages of some 60 singular fields or more) are
        // counted and appended, as a later run's are.
        guard MemoryLayout<T>.stride <= ProtoReader.stageBytes else {
            return try readCountedRun(key: key, into: &array, element)
        }
        var failure: ProtoDecodingError? = nil
        var elementWise = false
        let capacity = ProtoReader.stageBytes / MemoryLayout<T>.stride
        withUnsafeTemporaryAllocation(of: T.self, capacity: capacity) { stage in
            let staging = stage.baseAddress!
            let staged = readRun(key: key, count: stage.count, into: staging, &failure, element)
            var more = 0
            if failure == nil && staged == stage.count && consumeKey(key) {
                more = lengthDelimitedRunCount(key: key)
                elementWise = more == 0
            }
            if more == 0 && staged < ProtoReader.directRunMinimum {
                array.reserveCapacity(staged)
                for k in 0..<staged { array.append((staging + k).move()) }
                return
            }
            array = [T](unsafeUninitializedCapacity: staged &+ more) { buffer, initialized in
                let base = buffer.baseAddress!
                base.moveInitialize(from: staging, count: staged)
                initialized = staged
                guard more > 0 else { return }
                initialized &+= counted(&self, more, base + staged, &failure)
                if failure == nil { elementWise = consumeKey(key) }
            }
        }
        if let failure { throw failure }
        guard elementWise else { return }
        repeat {
            array.append(try element(&self))
        } while consumeKey(key)
    }

    /// Decodes a later run of a field that already has elements (its records interleaved with
    /// other fields'), or a run of elements too large to stage: counted, the array grown once,
    /// each element appended.
    @inlinable
    mutating func readCountedRun<T>(
        key: UInt32, into array: inout [T], _ element: (inout ProtoReader) throws(ProtoDecodingError) -> T
    ) throws(ProtoDecodingError) {
        ProtoReader.reserve(&array, lengthDelimitedRunCount(key: key))
        repeat {
            array.append(try element(&self))
        } while consumeKey(key)
    }

    /// Decodes up to `count` elements of a run (the first key already read, each later one
    /// consumed here) into uninitialised storage at `base`, returning how many were
    /// initialised: fewer when the next key is not `key`, or when an error stops the run (it
    /// is stored in `failure`). The key after the last element is left unread.
    @inlinable @inline(__always)
    mutating func readRun<T>(
        key: UInt32, count: Int, into base: UnsafeMutablePointer<T>, _ failure: inout ProtoDecodingError?,
        _ element: (inout ProtoReader) throws(ProtoDecodingError) -> T
    ) -> Int {
        var made = 0
        repeat {
            do throws(ProtoDecodingError) {
                (base + made).initialize(to: try element(&self))
            } catch {
                failure = error
                return made
            }
            made &+= 1
        } while made < count && consumeKey(key)
        return made
    }

    /// Decodes the `count` strings of a run that `lengthDelimitedRunCount` has counted (the
    /// first key already read) into uninitialised storage at `base`, returning how many were
    /// initialised; an error (invalid UTF-8) stops the run and is stored in `failure`.
    /// The count pass read every length and key of these records and found that they fit and
    /// that each key is the canonical one- or two-byte encoding of `key`, so the loop checks
    /// neither again: per string a length, the standard library's validating constructor, and
    /// a fixed-size step over the next key.
    @inlinable @inline(__always)
    mutating func readCountedStringRun(
        key: UInt32, count: Int, fieldNumber: Int, into base: UnsafeMutablePointer<String>,
        _ failure: inout ProtoDecodingError?
    ) -> Int {
        let keySize = key < 0x80 ? 1 : 2
        var p = cursor
        var made = 0
        while true {
            var length = Int(p.load(as: UInt8.self))
            if length < 0x80 {
                p += 1
            } else {
                var r = ProtoReader(cursor: p, end: end, depth: depth)
                do throws(ProtoDecodingError) { length = try r.readLength() } catch {
                    failure = error  // not reached: the count pass read this length
                    break
                }
                p = r.cursor
            }
            guard let s = UTF8Validation.makeString(UnsafeRawBufferPointer(start: p, count: length)) else {
                failure = .invalidUTF8(fieldNumber: fieldNumber)
                break
            }
            (base + made).initialize(to: s)
            made &+= 1
            p += length
            if made == count { break }
            p += keySize
        }
        cursor = p
        return made
    }
}
