"""OCR cost per A4 page of the engines and settings considered for scanned reports, at equal facts.

Scans of the sample reports are rendered here (``fixtures.documents.scanned_pdf``) and their pages OCR'd
by every candidate in turn; each gets CPU seconds per page (the process's CPU time over every thread,
one inference thread: what a core of a cluster pays), wall seconds per page, and whether the facts
its lines give through the PDF reader and the parser (``read_document``) are those of the text
(``fixtures.facts``: never a different figure, at least 80 % of the money facts).
Candidates whose library is not installed are skipped, so this runs in any environment that has the
project and some of them::

    python -m bench.ocr [--samples 2] [--dpi 150 120] [--candidates NAME ...] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixtures import documents
from fixtures.facts import different_facts, facts
from ingest.documents import ocr

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
Recogniser = Callable[[Any], list[ocr.OcrLine]]


def _lines(quads: Any, texts: Any, scores: Any) -> list[ocr.OcrLine]:
    lines = []
    for quad, text, score in zip(quads if quads is not None else [], texts or [], scores or [], strict=True):
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        lines.append(ocr.OcrLine(text, (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))), float(score)))
    return lines


def rapidocr_1x(module: str, **settings: Any) -> Recogniser:
    """rapidocr-onnxruntime / rapidocr-openvino 1.4 (PP-OCRv4 in the wheel), one inference thread."""
    import importlib

    import numpy as np

    threads = ({"intra_op_num_threads": 1, "inter_op_num_threads": 1} if module.endswith("onnxruntime")
               else {"inference_num_threads": 1})
    engine = importlib.import_module(module).RapidOCR(**threads, **settings)

    def recognise(image: Any) -> list[ocr.OcrLine]:
        result, _ = engine(np.asarray(image.convert("RGB")))
        result = result or []
        return _lines([r[0] for r in result], [r[1] for r in result], [r[2] for r in result])

    return recognise


def rapidocr_3x(engine_type: str = "onnxruntime", **settings: Any) -> Recogniser:
    """rapidocr 3.x (PP-OCRv6 small in the wheel) on onnxruntime or OpenVINO, one inference thread."""
    import numpy as np
    from rapidocr import EngineType, RapidOCR

    params: dict[str, Any] = {"Global.log_level": "error"}
    for part in ("Det", "Cls", "Rec"):
        params[f"{part}.engine_type"] = EngineType(engine_type)
    if engine_type == "onnxruntime":
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = 1
        params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    else:
        params["EngineConfig.openvino.inference_num_threads"] = 1
    params.update(settings)
    engine = RapidOCR(params=params)

    def recognise(image: Any) -> list[ocr.OcrLine]:
        out = engine(np.asarray(image.convert("RGB")))
        return _lines(out.boxes, out.txts, out.scores)

    return recognise


@dataclass(frozen=True)
class Candidate:
    """An engine with its settings, and the module it needs."""

    name: str
    needs: str
    make: Callable[[], Recogniser]
    dpi: int = 150


CANDIDATES = [
    Candidate("rapidocr-onnxruntime 1.4", "rapidocr_onnxruntime", lambda: rapidocr_1x("rapidocr_onnxruntime")),
    Candidate("rapidocr-onnxruntime 1.4, no cls", "rapidocr_onnxruntime",
              lambda: rapidocr_1x("rapidocr_onnxruntime", use_cls=False)),
    Candidate("rapidocr-openvino 1.4", "rapidocr_openvino", lambda: rapidocr_1x("rapidocr_openvino")),
    Candidate("rapidocr-openvino 1.4, no cls", "rapidocr_openvino",
              lambda: rapidocr_1x("rapidocr_openvino", use_cls=False)),
    Candidate("rapidocr 3 onnxruntime", "rapidocr", lambda: rapidocr_3x()),
    Candidate("rapidocr 3 onnxruntime, no cls", "rapidocr", lambda: rapidocr_3x(**{"Global.use_cls": False})),
]


@dataclass
class Result:
    """A candidate's cost over the pages and what the scans' facts came to."""

    name: str
    dpi: int
    pages: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    start_s: float = 0.0
    same_facts: bool = True
    money_found: int = 0
    money_stated: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        pages = max(1, self.pages)
        return {
            "name": self.name, "dpi": self.dpi, "pages": self.pages,
            "cpu_s_per_page": round(self.cpu_s / pages, 2), "wall_s_per_page": round(self.wall_s / pages, 2),
            "pages_per_cpu_s": round(self.pages / self.cpu_s, 3) if self.cpu_s else None,
            "start_s": round(self.start_s, 2), "same_facts": self.same_facts,
            "money_found": self.money_found, "money_stated": self.money_stated, "problems": self.problems,
        }


def page_images(scan: bytes, dpi: int) -> list[Any]:
    """The pages of a scanned PDF as the PDF reader renders them for OCR."""
    import pypdfium2 as pdfium

    return [page.render(scale=dpi / 72).to_pil() for page in pdfium.PdfDocument(scan)]


def measure(candidates: list[Candidate], texts: list[str], dpi: int, repeats: int = 1) -> list[Result]:
    """Every candidate on the pages of scans of ``texts`` (rendered at 200 dpi like a scanner, OCR'd at
    ``dpi``), page by page in turn so that a change of the machine's load hits them alike; then the
    facts each candidate's lines give through the PDF reader and the parser."""
    from ingest.documents import Limits, read_document

    scans = [documents.scanned_pdf(text, dpi=200) for text in texts]
    pages = [(n, image) for n, scan in enumerate(scans) for image in page_images(scan, dpi)]
    results, engines = [], []
    for candidate in candidates:
        cpu = time.process_time()
        engines.append(candidate.make())
        results.append(Result(candidate.name, dpi, start_s=time.process_time() - cpu))
    lines: list[list[list[ocr.OcrLine]]] = [[] for _ in candidates]
    for repeat in range(repeats):
        for _, image in pages:
            for k, recognise in enumerate(engines):
                cpu, wall = time.process_time(), time.perf_counter()
                got = recognise(image)
                results[k].cpu_s += time.process_time() - cpu
                results[k].wall_s += time.perf_counter() - wall
                results[k].pages += 1
                if repeat == 0:
                    lines[k].append(got)
    for k, result in enumerate(results):
        queue = list(lines[k])
        for text, scan in zip(texts, scans, strict=True):
            with ocr.recognised_by(lambda _image, queue=queue: queue.pop(0)):
                decoded = read_document(scan, ".pdf", limits=Limits(ocr_dpi=dpi))
            expected = facts(text)
            result.money_stated += len(expected["money"])
            if decoded.text is None:
                result.same_facts = False
                result.problems.append(decoded.error or "no text")
                continue
            got = facts(decoded.text)
            result.money_found += len(got["money"])
            problems = different_facts(expected, got)
            if problems:
                result.same_facts = False
                result.problems.append(problems[0])
        if result.money_found < 0.8 * result.money_stated:
            result.same_facts = False
    return results


def available(candidate: Candidate) -> bool:
    import importlib.util

    return importlib.util.find_spec(candidate.needs) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2, help="shortest sample reports to scan (default 2)")
    parser.add_argument("--dpi", type=int, nargs="+", default=[150], help="OCR resolutions (default 150)")
    parser.add_argument("--candidates", nargs="*", help="names (substrings) of the candidates to run")
    parser.add_argument("--repeats", type=int, default=1, help="times each page is OCR'd per candidate")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    samples = sorted(RAW.glob("*.txt"), key=lambda p: p.stat().st_size)[: args.samples]
    texts = [p.read_text(encoding="utf-8") for p in samples]
    chosen = [c for c in CANDIDATES if available(c)
              and (not args.candidates or any(n in c.name for n in args.candidates))]
    results = []
    for dpi in args.dpi:
        for result in measure(chosen, texts, dpi, args.repeats):
            row = result.as_dict()
            results.append(row)
            print(f"{row['name']:48} {dpi:4} dpi  {row['cpu_s_per_page']:6.2f} CPU-s/page  "
                  f"{row['wall_s_per_page']:6.2f} s/page  money {row['money_found']}/{row['money_stated']}  "
                  f"{'same facts' if row['same_facts'] else 'DIFFERENT: ' + '; '.join(row['problems'])}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
