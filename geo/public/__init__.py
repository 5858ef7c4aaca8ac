"""The village-facing side: printed signboards (公示牌) with a QR code, and the public village page they open.

:mod:`~geo.public.tokens` (each village's unguessable, rotatable page token), :mod:`~geo.public.settings` (what a
county prints: 监督电话, 12348, service time and place, whether the page shows the last on-site day),
:mod:`~geo.public.boards` (a board's content, printing, the list of boards to reprint),
:mod:`~geo.public.signboard_pdf` (the print-ready PDF), :mod:`~geo.public.page` (the page's HTML) and
:mod:`~geo.public.feedback` (the page's form: reading, scrubbing and bounding what villagers send).
"""
