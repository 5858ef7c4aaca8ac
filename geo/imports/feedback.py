"""Paper questionnaires (村民满意度调查): villagers' answers at villages of one county, the same fields as the
public page's form, stored as feedback of source 'paper'."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from geo.auth.access import OPEN, Principal, overlaps
from geo.core.codes import Scope
from geo.core.dates import DateError, as_date
from geo.core.feedback import paper_time
from geo.imports.jurisdiction import OutsideJurisdiction
from geo.imports.kind import (
    COUNTY,
    SHOWN,
    Column,
    Headers,
    ImportKind,
    Listing,
    Option,
    PreviewView,
    Reading,
    county_told,
    metric,
)
from geo.imports.results import (
    CountyFileDone,
    ImportResult,
    Progress,
    already_imported,
    doubtful_notes,
    joined_remarks,
    refused,
    refused_by,
    reject_note,
)
from geo.sources import questionnaire
from geo.sources.errors import SourceError
from geo.sources.matching import outside_jurisdiction
from geo.sources.tabular import TABULAR_SUFFIXES
from geo.store import Store
from geo.text.catalogue import Msg, t

SURVEY_DATE = Option("survey_date", "text", "imp.q.survey_date",
                     "survey day (YYYY-MM-DD) of the rows that give none")


@dataclass(frozen=True)
class FeedbackPreview:
    """What the import page shows before saving: the table as read and its matches."""

    table: questionnaire.QuestionnaireTable
    match: questionnaire.QuestionnaireMatch


@dataclass(frozen=True)
class FeedbackDone(CountyFileDone):
    """What a questionnaire import added."""

    responses_new: int
    never_seen: int
    duplicates: int

    def lines(self) -> tuple[Msg, ...]:
        return (Msg("imp.d.feedback", {"county": self.county, "responses": self.responses_new,
                                       "never_seen": self.never_seen, "dupes": self.duplicates}),)


def survey_date_option(value: object) -> dt.date | None:
    """The --survey-date option as a day; ImportRefused when it is not one or lies in the future."""
    if value is None or not str(value).strip():
        return None
    try:
        day = as_date(str(value))
    except DateError:
        raise refused("imp.e.survey_date", value=value) from None
    if day > dt.date.today():
        raise refused("imp.e.survey_date", value=value)
    return day


def preview_feedback(store: Store, path: str | Path, *, county: str | None = None, survey_date: object = None,
                     read=None) -> FeedbackPreview:
    """The questionnaires read and matched without writing anything (``read``: the reading's answer when it
    ran already, in a worker)."""
    try:
        table = read if read is not None else questionnaire.read_questionnaires(
            path, survey_date=survey_date_option(survey_date))
        chosen = questionnaire.questionnaire_county(table, store.registry_frame(), county)
    except SourceError as e:
        raise refused_by(e) from None
    return FeedbackPreview(table, questionnaire.match_questionnaires(table, chosen))


def _frame(responses: list[questionnaire.Response], batch: int) -> pd.DataFrame:
    return pd.DataFrame({
        "village": pd.Series([r.village_code for r in responses], dtype=object),
        "received_at": pd.Series([paper_time(r.day) for r in responses], dtype=object),
        "source": "paper",
        "satisfaction": pd.Series([r.satisfaction for r in responses], dtype="Int64"),
        "reached": pd.Series([r.reached for r in responses], dtype="boolean"),
        "never_seen": pd.Series([r.never_seen for r in responses], dtype=bool),
        "comment": pd.Series([r.comment for r in responses], dtype=object),
        "client_key": None,
        "duplicate": pd.Series([r.duplicate_of is not None for r in responses], dtype=bool),
        "batch_id": batch})


def _answer(value: bool | None) -> Msg | str:
    return "" if value is None else Msg("fb.yes" if value else "fb.no")


class Questionnaires(ImportKind):
    """Paper questionnaires: villagers' satisfaction, whether they could reach the adviser, and whether their
    village has ever seen one."""

    key = "feedback"
    file_types = TABULAR_SUFFIXES
    options = (COUNTY, SURVEY_DATE)

    def reading(self, store: Store, path: Path, options: dict[str, Any]) -> Reading:
        return questionnaire.read_questionnaires, (path,), {
            "survey_date": survey_date_option(options.get("survey_date"))}

    def preview(self, store: Store, path: str | Path, options: dict[str, Any], read: Any = None) -> FeedbackPreview:
        return preview_feedback(store, path, county=options.get("county"), survey_date=options.get("survey_date"),
                                read=read)

    def limit(self, store: Store, preview: FeedbackPreview, principal: Principal) -> FeedbackPreview:
        """Refused when the file's county lies outside the jurisdiction; otherwise the responses of villages
        outside it are rejected row by row."""
        match = preview.match
        if match.county_code and not overlaps(principal, Scope.parse(match.county_code[:6])):
            raise OutsideJurisdiction(key="acc.e.feedback_county", params={"county": match.county_name,
                                                                           "code": match.county_code[:6]})
        outside = [r for r in match.responses if not principal.covers(r.village_code)]
        if not outside:
            return preview
        raw = {r.row_number: r.raw for r in preview.table.rows}
        rejects = [outside_jurisdiction(r.row_number, r.village_code, raw.get(r.row_number),
                                        village=r.written_village or r.village_name) for r in outside]
        kept = [r for r in match.responses if principal.covers(r.village_code)]
        return replace(preview, match=replace(match, responses=kept, rejects=[*match.rejects, *rejects]))

    def write(self, store: Store, path: str | Path, *, county: str | None = None, survey_date: object = None,
              file_name: str | None = None, progress: Progress | None = None,
              preview: FeedbackPreview | None = None, principal: Principal = OPEN, **options: Any) -> ImportResult:
        """Every accepted row stored as one response of one batch, audited in the same transaction."""
        path, name, sha, done = already_imported(store, self.key, path, file_name, principal)
        if done:
            return done
        progress and progress(0.1, "reading")
        preview = preview or preview_feedback(store, path, county=county, survey_date=survey_date)
        table, match = preview.table, preview.match
        if not match.rows_read:
            raise refused("imp.e.no_rows", file=name, row=table.header_row)
        progress and progress(0.6, "writing")
        with store.transaction() as cur:
            batch = store.new_batch(cur, self.key, name, sha, rows_read=match.rows_read,
                                    rows_accepted=match.accepted, rows_rejected=match.rejected,
                                    note=f"{match.county_name} {match.county_code}")
            stored = store.add_feedback(cur, _frame(match.responses, batch))
            self.audit(store, principal, cur, file_name=name, sha256=sha, batch=batch,
                       rows={"read": match.rows_read, "accepted": match.accepted, "rejected": match.rejected},
                       codes=[r.village_code for r in match.responses] or [match.county_code])
        progress and progress(1.0, "done")
        raw = {r.row_number: r.raw for r in table.rows}
        return ImportResult(self.key, name, "imported", batch, match.rows_read, match.accepted, match.rejected,
                            tuple(reject_note(r) for r in match.rejects),
                            doubtful_notes(((r.row_number, _doubts(r)) for r in match.responses), raw),
                            FeedbackDone(FeedbackDone.county_label(match.county_name, match.county_code),
                                         match.county_source, table.header_row, table.mapped, stored,
                                         match.never_seen, match.duplicates))

    def undo(self, store: Store, cur: Any, batch_id: int) -> None:
        store.rollback_feedback(cur, batch_id)

    def view(self, store: Store, preview: FeedbackPreview) -> PreviewView:
        """County, header row, columns understood, the responses to import, rejected rows."""
        table, match = preview.table, preview.match
        shown = match.responses[:SHOWN]
        return PreviewView(
            ready=match.accepted > 0,
            county=county_told(match),
            metrics=(metric("imp.m.rows", match.rows_read), metric("imp.m.responses", match.accepted),
                     metric("imp.m.never_seen", match.never_seen), metric("imp.m.rejected", match.rejected)),
            headers=Headers(table.header_row, table.header_row + 1,
                            tuple((f, h) for f, h in table.mapped.items() if f != "seq"), "imp.qf",
                            "imp.q.privacy"),
            listing=Listing(len(match.responses), (
                Column("imp.col.row", tuple(r.row_number for r in shown)),
                Column("imp.col.ledger_village", tuple(r.written_village for r in shown)),
                Column("imp.col.reg_village", tuple(r.village_name for r in shown)),
                Column("col.code", tuple(r.village_code for r in shown)),
                Column("imp.qf.date", tuple(r.day.isoformat() for r in shown)),
                Column("imp.qf.satisfaction", tuple("" if r.satisfaction is None else r.satisfaction
                                                    for r in shown)),
                Column("imp.qf.reached", tuple(_answer(r.reached) for r in shown)),
                Column("imp.qf.never_seen", tuple(_answer(r.never_seen) for r in shown)),
                Column("imp.qf.comment", tuple(r.comment or "" for r in shown)),
                Column("imp.col.note", tuple(joined_remarks(_doubts(r)) for r in shown)))),
            rejects=tuple(reject_note(r) for r in match.rejects))


def _doubts(response: questionnaire.Response) -> tuple[object, ...]:
    """What is worth a look in an accepted row: how its village was matched, a repeated questionnaire number."""
    if response.duplicate_of is None:
        return response.notes
    return (*response.notes, Msg("imp.note.q_duplicate", {"qid": response.qid, "row": response.duplicate_of}))


def template_bytes(lang: str = "zh") -> bytes:
    """A blank questionnaire summary as .xlsx: a title row, the header this kind reads (in Chinese, as the
    reader knows it), one example row and the note that says how to fill it in."""
    import openpyxl  # imported here: start-up time (only when a template is asked for)

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "问卷汇总"
    header = questionnaire.TEMPLATE_HEADER
    sheet.cell(1, 1, t("fb.template.title", lang))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for c, name in enumerate(header, 1):
        sheet.cell(2, c, name)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width = max(10, 2.2 * len(name))
    for c, value in enumerate((1, "001", "某某镇", "某某村", "2026-11-20", 5, "是", "否", ""), 1):
        sheet.cell(3, c, value)
    sheet.cell(5, 1, t("fb.template.note", lang))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FEEDBACK = Questionnaires()


def import_feedback(store: Store, path: str | Path, *, county: str | None = None, survey_date: object = None,
                    file_name: str | None = None, progress: Progress | None = None,
                    preview: FeedbackPreview | None = None, principal: Principal = OPEN) -> ImportResult:
    """A questionnaire summary as one batch: :meth:`Questionnaires.write`."""
    return FEEDBACK.write(store, path, county=county, survey_date=survey_date, file_name=file_name,
                          progress=progress, preview=preview, principal=principal)
