"""OCR picks its device at run time: CUDA where a GPU and onnxruntime's CUDA provider are present
(``onnxruntime-gpu``), OpenVINO on the CPU elsewhere, with the same text either way."""

from __future__ import annotations

import pytest

from fixtures import documents as F
from ingest.documents import ocr

GPU = ocr.device() == "cuda"


def test_the_recogniser_runs_where_device_says():
    assert ocr.runtime() == (ocr.CUDA_PROVIDER if GPU else "openvino-CPU")


@pytest.mark.slow
@pytest.mark.skipif(not GPU, reason="no NVIDIA GPU with onnxruntime-gpu's CUDA provider here")
def test_ocr_on_cuda_reads_what_the_cpu_reads():
    from rapidocr_onnxruntime import RapidOCR

    text = "2023年度部门整体支出绩效自评报告\n\n全年预算数 5,432.1 万元，全年支出 5,100 万元，执行率 93.89%。"
    image = F.page_images(text, dpi=150)[0]
    on_gpu = [line.text for line in ocr._recognise(image)]
    import numpy as np

    result, _ = RapidOCR()(np.asarray(image.convert("RGB")), use_cls=False)  # onnxruntime on the CPU
    assert on_gpu == [row[1] for row in result or []] and any("5,432.1" in t for t in on_gpu)
