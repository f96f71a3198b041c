"""The bpmn-js palette, context pad, replace menu and search, in bokmål (merged into i18n).

bpmn-js passes each of its texts through `translate`; the modeler looks them up here under
`bpmnjs:<English text>` and keeps the English text where no entry exists (English is the
catalogue's own language, so `en` needs no entries).
"""

from __future__ import annotations

_EVENTS = {
    "Message": "melding",
    "Timer": "tidtaker",
    "Signal": "signal",
    "Error": "feil",
    "Escalation": "eskalering",
    "Conditional": "betingelse",
    "Compensation": "kompensasjon",
    "Cancel": "avbrytelse",
    "Link": "lenke",
}
_KINDS = {
    "start event": "starthendelse",
    "end event": "slutthendelse",
    "boundary event": "grensehendelse",
    "intermediate catch event": "mellomhendelse (venter)",
    "intermediate throw event": "mellomhendelse (sender)",
}

NB = {
    "Activate create/remove space tool": "Lag eller fjern plass",
    "Activate global connect tool": "Koble sammen elementer",
    "Activate hand tool": "Flytt diagrammet (hånd)",
    "Activate lasso tool": "Velg flere (lasso)",
    "Add lane above": "Legg til bane over",
    "Add lane below": "Legg til bane under",
    "Add text annotation": "Legg til merknad",
    "Append compensation activity": "Legg til kompensasjonsaktivitet",
    "Append conditional intermediate catch event": "Legg til betingelse å vente på",
    "Append end event": "Legg til slutthendelse",
    "Append gateway": "Legg til port",
    "Append intermediate/boundary event": "Legg til mellomhendelse",
    "Append message intermediate catch event": "Legg til melding å vente på",
    "Append receive task": "Legg til mottaksoppgave",
    "Append signal intermediate catch event": "Legg til signal å vente på",
    "Append task": "Legg til oppgave",
    "Append timer intermediate catch event": "Legg til tidtaker å vente på",
    "Change element": "Endre elementtype",
    "Collection": "Samling",
    "Conditional flow": "Betinget flyt",
    "Connect to other element": "Koble til et annet element",
    "Connect using association": "Koble med assosiasjon",
    "Connect using data input association": "Koble med dataassosiasjon",
    "Create data object reference": "Lag dataobjekt",
    "Create data store reference": "Lag datalager",
    "Create end event": "Lag slutthendelse",
    "Create expanded sub-process": "Lag delprosess",
    "Create gateway": "Lag port",
    "Create group": "Lag gruppe",
    "Create intermediate/boundary event": "Lag mellomhendelse eller grensehendelse",
    "Create pool/participant": "Lag basseng",
    "Create start event": "Lag starthendelse",
    "Create task": "Lag oppgave",
    "Default flow": "Standardflyt",
    "Delete": "Slett",
    "Divide into three lanes": "Del i tre baner",
    "Divide into two lanes": "Del i to baner",
    "Loop": "Gjentas (løkke)",
    "Parallel multi-instance": "Gjentas parallelt (multi-instance)",
    "Sequential multi-instance": "Gjentas én etter én (multi-instance)",
    "Participant multiplicity": "Flere deltakere",
    "Search in diagram": "Søk i diagrammet",
    "Sequence flow": "Flyt",
    "Sub-process": "Delprosess",
    "Sub-process (collapsed)": "Delprosess (lukket)",
    "Sub-process (expanded)": "Delprosess (åpen)",
    "Ad-hoc sub-process": "Ad hoc-delprosess",
    "Ad-hoc sub-process (collapsed)": "Ad hoc-delprosess (lukket)",
    "Ad-hoc sub-process (expanded)": "Ad hoc-delprosess (åpen)",
    "Event sub-process": "Hendelsesdelprosess",
    "Transaction": "Transaksjon",
    "Toggle non-interrupting": "Avbryter / avbryter ikke",
    "Task": "Oppgave",
    "User task": "Brukeroppgave",
    "Service task": "Tjenesteoppgave",
    "Script task": "Skriptoppgave",
    "Business rule task": "Regeloppgave (DMN)",
    "Send task": "Sendeoppgave",
    "Receive task": "Mottaksoppgave",
    "Manual task": "Manuell oppgave",
    "Call activity": "Kall til prosess",
    "Start event": "Starthendelse",
    "End event": "Slutthendelse",
    "Boundary event": "Grensehendelse",
    "Intermediate throw event": "Mellomhendelse (sender)",
    "Terminate end event": "Avslutt alt (slutthendelse)",
    "Exclusive gateway": "Eksklusiv port",
    "Parallel gateway": "Parallell port",
    "Inclusive gateway": "Inkluderende port",
    "Complex gateway": "Kompleks port",
    "Event-based gateway": "Hendelsesbasert port",
    "Event based instantiating Gateway": "Hendelsesbasert port som starter",
    "Parallel Event based instantiating Gateway": "Parallell hendelsesbasert port som starter",
    "Data object reference": "Dataobjekt",
    "Data store reference": "Datalager",
    "Empty pool/participant": "Tomt basseng",
    "Expanded pool/participant": "Åpent basseng",
}
for _event, _prefix in _EVENTS.items():
    for _kind, _text in _KINDS.items():
        _label = f"{_text[0].upper()}{_text[1:]} ({_prefix})"
        NB[f"{_event} {_kind}"] = _label
        NB[f"{_event} {_kind} (non-interrupting)"] = f"{_label}, avbryter ikke"


def catalogue(language: str) -> dict[str, str]:
    """Return the bpmn-js texts of one language under their `bpmnjs:` keys."""
    return {f"bpmnjs:{k}": v for k, v in NB.items()} if language == "nb" else {}
