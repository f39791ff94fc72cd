/// The page's style sheet: readable at 1280 px, and on paper (A4, no
/// background colours needed, sections kept whole).
extension HTMLReport {
    static let css = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          color: #222; background: #fff; margin: 0 auto; max-width: 1240px;
          padding: 16px 20px 40px; line-height: 1.4; }
        h1 { font-size: 28px; margin: 8px 0 4px; }
        h2 { font-size: 22px; margin: 0 0 4px; border-bottom: 2px solid #0072B2;
          padding-bottom: 4px; }
        h3 { font-size: 16px; margin: 18px 0 4px; }
        section { margin: 28px 0; }
        .meta, .caption, .note { color: #444; font-size: 14px; margin: 4px 0 8px; }
        .warning { color: #a33; font-weight: 600; }
        .no-data { background: #f6f6f6; border: 1px dashed #bbb; padding: 24px; text-align: center;
          color: #666; font-size: 15px; }
        .figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0 0; }
        .figures div { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px;
          min-width: 130px; }
        .figures dt { font-size: 12px; color: #666; text-transform: uppercase;
          letter-spacing: .04em; }
        .figures dd { margin: 2px 0 0; font-size: 20px; font-weight: 600; }
        .figures small { font-size: 13px; font-weight: 400; color: #555; }
        .id, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em;
          overflow-wrap: anywhere; }
        svg.chart { display: block; width: 100%; height: auto; max-width: 1200px; }
        table { border-collapse: collapse; font-size: 13px; margin: 10px 0; }
        th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.hash { font-family: ui-monospace, monospace; font-size: 11px; color: #555; }
        footer { color: #777; font-size: 12px; margin-top: 40px; }
        @page { size: A4 portrait; margin: 12mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11pt; }
          section { break-inside: avoid-page; page-break-inside: avoid; }
          svg.chart { max-width: 100%; break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          .figures div { border-color: #999; }
        }
        """
}
