"""A bundle line's case records: assessments with their answers, the outcome forms, contacts,
support, interventions, safety plans, and MARAC referrals, hearings and actions; refs within the
line ("a1") tie them to each other."""

import datetime

from accounts.models import Marac
from riskassessment.models import Answer, MaracMeeting, MaracReferral

from .batch import Queued, QueuedValues
from .rows import RowWriter

# An answer's values, as the line gives them (its assessment set apart).
ANSWER_VALUES = ("question_id", "option_id", "detail", "comment")


class CaseRecords(RowWriter):
    """The records of a line's case, written after the case itself (Importer.import_line)."""

    def _case_records(self, data, case, service):
        refs = self._assessments(data.get("assessments", []), case, service)
        self.check()
        self._forms(data.get("forms") or {}, case, service)
        simple = (
            ("contacts", "contact"),
            ("support", "support"),
            ("interventions", "intervention"),
            ("risk_decisions", "risk_decision"),
        )
        for key, part in simple:
            for index, values in enumerate(data.get(key, [])):
                self.make(part, values, f"{key}[{index}]", service, case=case)
        for index, values in enumerate(data.get("safety_plans", [])):
            path = f"safety_plans[{index}]"
            plan = self.make("safety_plan", values, path, service, case=case)
            if self.errors:  # the plan was not written
                continue
            for number, version in enumerate(values.get("versions", [])):
                version_path = f"{path}.versions[{number}]"
                assessment = self._ref(
                    refs, version.get("assessment"), f"{version_path}.assessment"
                )
                self.make(
                    "safety_plan_version",
                    version,
                    version_path,
                    service,
                    plan=plan,
                    assessment=assessment,
                )
        self._marac(data.get("marac") or {}, case, service, refs)

    def _ref(self, refs: dict, ref, path):
        if ref is None:
            return None
        if ref not in refs:
            self.fail(path, f"no earlier assessment in this line has the ref {ref!r}.")
            return None
        return refs[ref]

    def _assessments(self, items, case, service) -> dict:
        refs = {}
        for index, values in enumerate(items):
            path = f"assessments[{index}]"
            found = self.checklist_version(values["checklist"], values["checklist_version"])
            if found is None:
                self.fail(
                    f"{path}.checklist_version",
                    f"there is no version {values['checklist_version']} of the checklist "
                    f"{values['checklist']!r}.",
                )
                continue
            version, questions = found
            parent = self._ref(refs, values.get("parent"), f"{path}.parent")
            supersedes = self._ref(refs, values.get("supersedes"), f"{path}.supersedes")
            assessment, many = self.build(
                "assessment",
                values,
                path,
                service,
                case=case,
                version=version,
                parent=parent,
                supersedes=supersedes,
            )
            answers = []
            for number, answer in (values.get("answers") or {}).items():
                answer_path = f"{path}.answers.{number}"
                question, options = questions.get(int(number), (None, {}))
                if question is None:
                    self.fail(answer_path, f"the checklist version has no question {number}.")
                    continue
                key = answer.get("option")
                if key is not None and key not in options:
                    self.fail(
                        f"{answer_path}.option", f"{key!r} is not an answer to question {number}."
                    )
                    continue
                answers.append((answer_path, question, options.get(key) if key else None, answer))
            if values["ref"] in refs:
                self.fail(f"{path}.ref", "another assessment of this line has this ref.")
            if not self.save(assessment, path, many):
                continue
            refs[values["ref"]] = assessment
            # Questions and options were checked against the version above: the answers go in
            # one insert (inside the import's audited_bulk_write) instead of one per answer.
            # By id: setting a related row costs a router check per key, thousands of answers
            # a batch.
            answer_rows = [
                (
                    question.pk,
                    option.pk if option is not None else None,
                    answer.get("detail", ""),
                    answer.get("comment", ""),
                )
                for _answer_path, question, option, answer in answers
            ]
            if self.queue is not None:
                # As values, not Answer instances: tens of thousands a batch.
                self.queue.append(
                    QueuedValues(Answer, assessment, "assessment_id", ANSWER_VALUES, answer_rows)
                )
            else:
                Answer.objects.bulk_create(
                    [
                        Answer(assessment=assessment, **dict(zip(ANSWER_VALUES, row, strict=True)))
                        for row in answer_rows
                    ]
                )
        return refs

    def _forms(self, forms, case, service):
        for kind in ("intake", "exit", "follow_up"):
            if forms.get(kind) is not None:
                self.make(kind, forms[kind], f"forms.{kind}", service, case=case)
        for index, values in enumerate(forms.get("reviews", [])):
            self.make("review", values, f"forms.reviews[{index}]", service, case=case)
        criminal = forms.get("criminal_justice")
        if criminal is not None:
            form = self.make(
                "criminal_justice", criminal, "forms.criminal_justice", service, case=case
            )
            for index, values in enumerate(criminal.get("police_reports", [])):
                path = f"forms.criminal_justice.police_reports[{index}]"
                report = self.make("police_report", values, path, service, case=case, form=form)
                for number, incident in enumerate(values.get("incidents", [])):
                    self.make(
                        "incident",
                        incident,
                        f"{path}.incidents[{number}]",
                        service,
                        case=case,
                        report=report,
                    )
        civil = forms.get("civil_justice")
        if civil is not None:
            form = self.make("civil_justice", civil, "forms.civil_justice", service, case=case)
            for index, values in enumerate(civil.get("orders", [])):
                path = f"forms.civil_justice.orders[{index}]"
                self.make("civil_order", values, path, service, case=case, form=form)

    def _marac(self, marac, case, service, assessment_refs):
        referral_refs = {}
        for index, values in enumerate(marac.get("referrals", [])):
            path = f"marac.referrals[{index}]"
            assessment = self._ref(assessment_refs, values.get("assessment"), f"{path}.assessment")
            repeat_of = None
            earlier = values.get("repeat_of_referred_on")
            earlier = earlier and self._date(earlier, f"{path}.repeat_of_referred_on")
            if earlier:
                repeat_of = self._earlier_marac_referral(case.client, earlier)
                if repeat_of is None:
                    self.fail(
                        f"{path}.repeat_of_referred_on",
                        "the client has no MARAC referral on that date (it must come earlier "
                        "in the file or be in Lantern already).",
                    )
            referral = self.make(
                "marac_referral",
                values,
                path,
                service,
                case=case,
                assessment=assessment,
                repeat_of=repeat_of,
            )
            referral_refs[values["ref"]] = referral
            if self.batch_marac_referrals is not None and not self.errors:
                # Later lines of the batch may repeat it: the latest of a day wins, as the
                # query's order_by("-pk") does once it is written.
                self.batch_marac_referrals[(id(case.client), referral.referred_on)] = referral
        for index, values in enumerate(marac.get("hearings", [])):
            path = f"marac.hearings[{index}]"
            meeting_values = values["meeting"]
            held_on = self._date(meeting_values["held_on"], f"{path}.meeting.held_on")
            # The bundle names the MARAC; a name not yet known becomes a MARAC no service has
            # joined (only a superuser or the MARAC's admins join services to one).
            meeting = self._meeting(meeting_values["area"], held_on)
            referral = None
            if values.get("referral") is not None:
                referral = referral_refs.get(values["referral"])
                if referral is None:
                    self.fail(
                        f"{path}.referral",
                        f"no MARAC referral of this line has the ref {values['referral']!r}.",
                    )
            hearing = self.make(
                "marac_hearing",
                values,
                path,
                service,
                case=case,
                meeting=meeting,
                referral=referral,
            )
            for number, action in enumerate(values.get("actions", [])):
                self.make(
                    "marac_action",
                    action,
                    f"{path}.actions[{number}]",
                    service,
                    case=case,
                    hearing=hearing,
                )

    def _earlier_marac_referral(self, client, referred_on):
        """The client's latest MARAC referral made on that day: in a batch, one queued by an
        earlier line of the batch, else one of those start_batch read (one query for the
        batch's known clients); line by line, a query."""
        if self.batch_marac_referrals is None:
            return (
                MaracReferral.objects.filter(case__client_id=client.pk, referred_on=referred_on)
                .order_by("-pk")
                .first()
            )
        queued = self.batch_marac_referrals.get((id(client), referred_on))
        if queued is not None or client.pk is None:
            return queued
        return self.batch_marac_referrals_before.get((client.pk, referred_on))

    def _meeting(self, area: str, held_on):
        """The MARAC's meeting on that day, created (with the MARAC, if its name is new) when
        missing and the line is valid so far. In a batch, from start_batch's lookups (one query
        each), the new rows queued for the batch's insert; line by line, a query or two."""
        if self.batch_meetings is None:
            meeting = MaracMeeting.objects.filter(marac__name=area, held_on=held_on).first()
            if meeting is None and not self.errors:
                marac, new_marac = Marac.objects.get_or_create(name=area)
                meeting = MaracMeeting.objects.create(
                    marac=marac, held_on=held_on, created_by=self.user
                )
                if new_marac:
                    self.saved.append(Queued(marac))
                self.saved.append(Queued(meeting))
            return meeting
        meeting = self.batch_meetings.get((area, held_on))
        if meeting is None and not self.errors:
            marac = self.batch_maracs.get(area)
            if marac is None:
                marac = self.batch_maracs[area] = Marac(name=area)
                self.queue.append(Queued(marac))
            meeting = MaracMeeting(marac=marac, held_on=held_on, created_by=self.user)
            self.batch_meetings[(area, held_on)] = meeting
            self.queue.append(Queued(meeting))
        return meeting

    def _load_batch_marac(self, lines: list[dict], clients: list) -> None:
        """For a batch (importer.start_batch): the MARAC referrals of the clients imported
        before (the ones a referral may repeat), and the MARACs and meetings the hearings
        name, each in one query, and only when a line needs them."""
        self.batch_marac_referrals, self.batch_marac_referrals_before = {}, {}
        self.batch_meetings, self.batch_maracs = {}, {}
        repeats = any(
            referral.get("repeat_of_referred_on")
            for data in lines
            for referral in (data.get("marac") or {}).get("referrals", [])
        )
        client_ids = [client.pk for client in clients if client.pk is not None]
        if repeats and client_ids:
            # Ascending pk: the latest referral of a day is the one left in the dict.
            for referral in (
                MaracReferral.objects.filter(case__client_id__in=client_ids)
                .order_by("pk")
                .select_related("case")
            ):
                key = (referral.case.client_id, referral.referred_on)
                self.batch_marac_referrals_before[key] = referral
        areas, days = set(), set()
        for data in lines:
            for hearing in (data.get("marac") or {}).get("hearings", []):
                meeting = hearing.get("meeting") or {}
                try:
                    days.add(datetime.date.fromisoformat(meeting["held_on"]))
                except (KeyError, TypeError, ValueError):
                    continue  # reported when the line is written
                areas.add(meeting.get("area"))
        if areas:
            self.batch_maracs = {
                marac.name: marac for marac in Marac.objects.filter(name__in=areas)
            }
            self.batch_meetings = {
                (meeting.marac.name, meeting.held_on): meeting
                for meeting in MaracMeeting.objects.filter(
                    marac__name__in=areas, held_on__in=days
                ).select_related("marac")
            }

    def _end_batch_marac(self) -> None:
        self.batch_marac_referrals = self.batch_marac_referrals_before = None
        self.batch_meetings = self.batch_maracs = None
