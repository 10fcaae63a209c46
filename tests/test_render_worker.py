"""Briefs laid out on the worker process: the same page as here, and never lost to the worker."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path

import pytest

from briefing.index import Index
from briefing.render.html import RenderError
from briefing.render.pdf import one_page
from briefing.render.worker import Renderer
from briefing.summarise import summarise

from .test_make import pdf_text

ISSUED = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def selection(seed_index, topics):
    with Index(seed_index) as index:
        return summarise(index, topics["sanctions"])


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    return pdf_text(path)


def test_a_brief_laid_out_by_the_worker_is_the_page_laid_out_here(selection, tmp_path):
    here = one_page(selection, ISSUED, "Kazakhstan")
    with Renderer() as renderer:
        assert renderer.worker not in (None, os.getpid())
        there = renderer.submit(selection, ISSUED, "Kazakhstan").result()
        again = renderer.submit(selection, ISSUED + dt.timedelta(days=1), "Kazakhstan").result()
    assert renderer.worker is None  # closed with the block
    assert there.brief == here.brief and there.html == here.html and there.warnings == here.warnings
    assert text_of(there.pdf, tmp_path) == text_of(here.pdf, tmp_path)
    assert again.brief.issued == ISSUED + dt.timedelta(days=1)


def test_a_worker_that_died_leaves_the_brief_to_this_process(selection, tmp_path):
    with Renderer() as renderer:
        os.kill(renderer.worker, signal.SIGKILL)
        rendered = renderer.submit(selection, ISSUED, "Kazakhstan").result()
        assert renderer.worker is None
        later = renderer.submit(selection, ISSUED, "Kazakhstan").result()
    assert rendered.brief.points and later.brief == rendered.brief
    assert rendered.brief.points[0].text.split()[0] in text_of(rendered.pdf, tmp_path)


def test_a_failure_in_the_worker_is_raised_here_as_it_is(selection, tmp_path):
    with Renderer() as renderer, pytest.raises(RenderError, match=f"the templates in {tmp_path} cannot be used"):
        renderer.submit(selection, ISSUED, "Kazakhstan", templates=tmp_path).result()


def test_without_a_worker_the_brief_is_laid_out_here(selection):
    with Renderer(parallel=False) as renderer:
        assert renderer.worker is None
        assert renderer.submit(selection, ISSUED, "Kazakhstan").result().brief == one_page(selection, ISSUED, "Kazakhstan").brief
