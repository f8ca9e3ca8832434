"""Synthetic linked registers with a planted, recorded truth.

:func:`synthesize` writes the four sources of the default data contract
(``persons``, ``victim_registrations``, ``victimisations``, ``perpetrator_links``)
plus ``truth.json``: the planted hazard ratios and baseline of the first
re-victimisation, the recurrent-event process, the serial and returning
perpetrators and the hidden population behind the register. Every pseudonym
matches :data:`CANARY_PATTERN`, so a test can prove none leaks into an output.
:func:`first_event_table` is an independent, plain-SQL reference for the
first-event analysis table that recovery tests fit models on.
"""

from revict.synth._first_event import first_event_table
from revict.synth._ids import CANARY_PATTERN
from revict.synth.core import CHUNK_PERSONS, SOURCES, SynthResult, synthesize

__all__ = ["CANARY_PATTERN", "CHUNK_PERSONS", "SOURCES", "SynthResult", "first_event_table", "synthesize"]
