"""The agenda: times and zones, recurrences, occurrences in a window, roll-over,
automatic reminders, natural dates, views as plain data and
iCalendar files. Nothing here imports Textual, click or rich."""
