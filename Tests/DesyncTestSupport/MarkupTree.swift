import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of an SVG (or XHTML-clean) fragment, parsed with
/// Foundation's XML parser, so tests check what the report draws instead
/// of matching its text. Parsing also proves the markup well-formed.
public final class MarkupTree: NSObject, XMLParserDelegate {
    public struct Element: Sendable {
        public var name: String
        public var attributes: [String: String]
        /// Text directly inside the element (entities decoded).
        public var text: String
        /// Text of the `<title>` child, if any (a tooltip).
        public var tooltip: String?

        public func number(_ attribute: String) -> Double? {
            attributes[attribute].flatMap { Double($0) }
        }

        public var classes: [String] {
            (attributes["class"] ?? "").split(separator: " ").map(String.init)
        }
    }

    public private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private var parseError: Error?

    /// Parses `markup`; throws when it is not well-formed.
    public init(_ markup: String) throws {
        super.init()
        let parser = XMLParser(data: Data(markup.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw parser.parserError ?? parseError ?? NSError(domain: "MarkupTree", code: 1)
        }
    }

    public func all(_ name: String, class cssClass: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (cssClass == nil || $0.classes.contains(cssClass!)) }
    }

    /// Every text node of the fragment.
    public var texts: [String] { all("text").map(\.text) }

    public func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String]
    ) {
        elements.append(Element(name: name, attributes: attributes, text: "", tooltip: nil))
        stack.append(elements.count - 1)
    }

    public func parser(
        _ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
        qualifiedName: String?
    ) {
        let index = stack.removeLast()
        if name == "title", let parent = stack.last {
            elements[parent].tooltip = elements[index].text
        }
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard let index = stack.last else { return }
        elements[index].text += string
    }

    public func parser(_ parser: XMLParser, parseErrorOccurred error: Error) {
        parseError = error
    }
}

/// The inline `<svg>` elements of an HTML page, in order.
public func svgFragments(_ html: String) -> [String] {
    var fragments: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg "),
        let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex)
    {
        fragments.append(String(rest[start.lowerBound..<end.upperBound]))
        rest = rest[end.upperBound...]
    }
    return fragments
}
