/// Builds indented Swift source text.
struct CodeWriter {
    private(set) var text = ""
    private var indentation = ""

    mutating func line(_ s: String = "") {
        if s.isEmpty {
            text += "\n"
        } else {
            text += indentation + s + "\n"
        }
    }

    mutating func block(_ opener: String, _ body: (inout CodeWriter) -> Void) {
        line(opener + " {")
        indent()
        body(&self)
        outdent()
        line("}")
    }

    /// Like `block`, but the opener is written as given (e.g. a closure `{ x in`).
    mutating func scope(_ opener: String, close: String = "}", _ body: (inout CodeWriter) -> Void) {
        line(opener)
        indent()
        body(&self)
        outdent()
        line(close)
    }

    /// A `switch` with its cases at the switch's own indentation (Swift style).
    mutating func switchBlock(_ subject: String, _ body: (inout CodeWriter) -> Void) {
        line("switch \(subject) {")
        body(&self)
        line("}")
    }

    mutating func indent() { indentation += "    " }
    mutating func outdent() { indentation.removeLast(4) }

    /// A schema comment as `///` doc lines.
    mutating func doc(_ comment: String?) {
        guard let comment, !comment.allSatisfy({ $0.isWhitespace }) else { return }
        var lines = comment.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.allSatisfy({ $0.isWhitespace }) == true { lines.removeLast() }
        while lines.first?.allSatisfy({ $0.isWhitespace }) == true { lines.removeFirst() }
        for l in lines {
            let trimmed = l.hasPrefix(" ") ? String(l.dropFirst()) : l
            line(trimmed.isEmpty ? "///" : "/// " + trimmed)
        }
    }
}
