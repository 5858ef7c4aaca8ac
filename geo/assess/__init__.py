"""考核 and the statistics sent upward (月报 / 季报), computed only from what is filed once: contracts and service
records.

Modules: :mod:`.period` (a month, quarter or year), :mod:`.rules` (a score sheet as a TOML file, presets in
``presets/``), :mod:`.indicators` (the fixed vocabulary), :mod:`.facts` (per adviser and village), :mod:`.sheet`
(the assessment), :mod:`.stats` (the statistics sent upward), :mod:`.output` (xlsx, JSON, the 通报 as Word and
PDF on the briefing's machinery).
"""
