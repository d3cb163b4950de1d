import Testing
import PortalWire

/// A repeated field whose element is larger than the reader's 1 KiB stage (`Wide`: 70
/// singular strings) is decoded by counting the run and appending, not through the stage.
@Suite struct LargeElementRunTests {
    static func wide(_ i: Int) -> Stress_Shapes_Wide {
        var w = Stress_Shapes_Wide()
        w.s1 = "first \(i)"
        w.s35 = String(repeating: "m", count: i % 40)
        w.s70 = "last \(i)"
        return w
    }

    static func list(_ n: Int) -> Stress_Shapes_WideList {
        var l = Stress_Shapes_WideList()
        l.items = (0..<n).map(wide)
        l.tags = (0..<(2 * n)).map { "tag-\($0)" }
        return l
    }

    @Test func theElementIsLargerThanTheStage() {
        #expect(MemoryLayout<Stress_Shapes_Wide>.stride > 1024)
    }

    @Test func runsOfLargeElementsRoundTrip() throws {
        for n in [0, 1, 2, 15, 16, 17, 40, 70] {
            let l = Self.list(n)
            let decoded = try Stress_Shapes_WideList(serializedBytes: l.serializedBytes())
            #expect(decoded == l, "\(n) elements")
        }
    }

    @Test func concatenatedEncodingsAppend() throws {
        let a = Self.list(3), b = Self.list(20)
        let merged = try Stress_Shapes_WideList(serializedBytes: a.serializedBytes() + b.serializedBytes())
        #expect(merged.items == a.items + b.items)
        #expect(merged.tags == a.tags + b.tags)
    }

    @Test func aRunCutShortIsRejected() {
        let bytes = Self.list(30).serializedBytes()
        // Cut inside the 20th element's record: the whole decode fails.
        let prefix = Stress_Shapes_WideList.with20Elements.serializedBytes().count
        #expect(throws: ProtoDecodingError.truncated) {
            try Stress_Shapes_WideList(serializedBytes: Array(bytes.prefix(prefix + 5)))
        }
    }
}

extension Stress_Shapes_WideList {
    static var with20Elements: Stress_Shapes_WideList {
        var l = Stress_Shapes_WideList()
        l.items = (0..<20).map(LargeElementRunTests.wide)
        return l
    }
}
