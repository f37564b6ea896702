# Person first: the records' encryption owner (person_id) must resolve when they load.
from .person import Person  # isort: skip
from .case import (
    GUARDIANSHIP_END_REASONS,
    SUPPORT_END_REASONS,
    Case,
    CaseNumberCounter,
    StageChange,
)
from .general import GeneralConsultation
from .records import (
    Assessment,
    Consultation,
    Contact,
    Decision,
    Document,
    GuardianAppointment,
    Petition,
    Referral,
    Subsidy,
    TeamMeeting,
    TeamMember,
)

__all__ = [
    "GUARDIANSHIP_END_REASONS",
    "SUPPORT_END_REASONS",
    "Assessment",
    "Case",
    "CaseNumberCounter",
    "Consultation",
    "Contact",
    "Decision",
    "Document",
    "GeneralConsultation",
    "GuardianAppointment",
    "Person",
    "Petition",
    "Referral",
    "StageChange",
    "Subsidy",
    "TeamMeeting",
    "TeamMember",
]
