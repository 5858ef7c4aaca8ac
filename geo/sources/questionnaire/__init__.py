"""Paper questionnaires (村民满意度调查问卷) as counties summarise them: read them, then match them to villages.

The same phases as :mod:`geo.sources.servicelog`, on the same machinery:

* :mod:`geo.sources.questionnaire.values`: one cell -> an answer (satisfaction 1-5, yes / no, never seen, the day);
* :mod:`geo.sources.questionnaire.fields`: :func:`read_questionnaires` file -> :class:`QuestionnaireTable` (header
  under title rows, merged township cells filled down, 合计 / note rows skipped, the respondent's name, phone and
  ID-card columns never read, ID-card and phone numbers removed from comments);
* :mod:`geo.sources.questionnaire.match`: :func:`match_questionnaires` rows -> :class:`Response` s or rejects,
  villages through :mod:`geo.sources.matching`.
"""
from __future__ import annotations

from geo.sources.questionnaire.fields import (
           QUESTIONNAIRE_COLUMNS,
           TEMPLATE_HEADER,
           QuestionnaireRow,
           QuestionnaireTable,
           read_questionnaires,
)
from geo.sources.questionnaire.match import (
           REJECT_REASONS,
           QuestionnaireMatch,
           Response,
           match_questionnaires,
           questionnaire_county,
)
from geo.sources.questionnaire.values import never_seen, satisfaction, survey_day, yes_no

__all__ = ["QUESTIONNAIRE_COLUMNS", "REJECT_REASONS", "TEMPLATE_HEADER",
           "QuestionnaireMatch", "QuestionnaireRow", "QuestionnaireTable",
           "Response", "match_questionnaires", "never_seen", "questionnaire_county", "read_questionnaires",
           "satisfaction", "survey_day", "yes_no"]
