"""The inspection report: every figure from the functions the commands use, as HTML and PDF.

    from kinlink.report import produce_report

    report = produce_report(store, as_of=date(2026, 11, 2))
    report.write(html=Path("report.html"), pdf=Path("report.pdf"))

`figures` gathers the figures, `charts` draws them, `render` writes HTML and PDF;
docs/quality-and-report.md says what each section shows and where it comes from.
"""

from kinlink.report.build import Report, produce_report

__all__ = ["Report", "produce_report"]
