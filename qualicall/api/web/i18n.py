"""Interface strings, French first, English second.

One table, `STRINGS[key] = (fr, en)`: a missing translation is a missing
tuple element and fails at import, not on a coach's screen. Criteria and
items are labelled by the rubrics themselves (`Translator.label`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualicall.core import locale
from qualicall.scorer import labels

if TYPE_CHECKING:
    from qualicall.scorer.rubric import Rubric

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

STRINGS: dict[str, tuple[str, str]] = {
    "app_name": ("qualicall — espace coach", "qualicall — coach workspace"),
    "skip_to_content": ("Aller au contenu", "Skip to content"),
    "nav_queue": ("À revoir", "Review queue"),
    "nav_agents": ("Agents", "Agents"),
    "nav_teams": ("Équipes", "Teams"),
    "nav_calibration": ("Calibration", "Calibration"),
    "nav_reports": ("Rapports", "Reports"),
    "reports_title": ("Rapport d'activité et de qualité", "Activity and quality report"),
    "reports_intro": ("Niveau de service, abandons, temps de traitement, satisfaction, qualité, réclamations et ce qui fait"
                      " la satisfaction, sur les contacts des jours choisis (la date de chaque contact à son heure locale).",
                      "Service level, abandons, handle times, satisfaction, quality, complaints and what drives satisfaction,"
                      " over the contacts of the days chosen (each contact's date on its own clock)."),
    "report_to": ("Au (inclus)", "To (inclusive)"),
    "report_by": ("Regrouper par", "Group by"),
    "report_by_none": ("Tout ensemble", "All together"),
    "report_period": ("Découper par", "Split by"),
    "report_period_none": ("Sans découpage", "No split"),
    "report_show": ("Voir le rapport", "Show the report"),
    "report_csv": ("Télécharger en CSV", "Download as CSV"),
    "report_bad_day": ("{field} : « {value} » n'est pas un jour de 1970 à 2099 (AAAA-MM-JJ).", "{field}: \"{value}\" is not a day from 1970 to 2099 (YYYY-MM-DD)."),
    "report_days_reversed": ("le dernier jour vient avant le premier : aucun contact entre les deux.", "the last day comes before the first: no contact in between."),
    "report_rubric_broken": ("Le rapport est indisponible : la grille du serveur ne peut pas être lue. Prévenez l'administrateur (le journal du service dit pourquoi).",
                             "The report is unavailable: the server's rubric cannot be read. Tell the administrator (the service's log says why)."),
    "report_bad_choice": ("choisissez un regroupement, un découpage et un format de la liste.", "choose a grouping, a split and a format from the list."),
    "logout": ("Déconnexion", "Log out"),
    "signed_in_as": ("Compte : {name}", "Signed in: {name}"),
    "switch_language": ("English", "Français"),
    # login
    "login_title": ("Connexion", "Sign in"),
    "login_user": ("Identifiant", "User name"),
    "login_password": ("Mot de passe", "Password"),
    "login_or_key": ("ou avec une clé d'API (rôle coach ou admin)", "or with an API key (coach or admin role)"),
    "login_key": ("Clé d'API", "API key"),
    "login_submit": ("Se connecter", "Sign in"),
    "login_failed": ("Identifiant, mot de passe ou clé incorrects.", "Wrong user name, password or key."),
    "login_forbidden": ("Cette clé n'a pas le rôle coach ou admin.", "This key has neither the coach nor the admin role."),
    "signin_throttled": (
        "Trop d'échecs de connexion pour cet identifiant ou depuis cette adresse : réessayez dans {minutes} min.",
        "Too many failed sign-ins for this user name or from this address: try again in {minutes} min.",
    ),
    "form_stale": ("Le formulaire a expiré : réessayez.", "The form has expired: please try again."),
    "form_stale_title": ("Formulaire expiré", "Form expired"),
    "cookie_missing": (
        "Le formulaire a expiré, ou votre navigateur refuse les cookies de ce site : réessayez, et autorisez les cookies pour ce site si cela se répète.",
        "The form has expired, or your browser refuses this site's cookies: try again, and allow cookies for this site if it happens again.",
    ),
    "insecure_origin": (
        "La connexion ne peut pas aboutir à cette adresse : la page est ouverte en HTTP simple ({origin}), et le navigateur refuse alors "
        "le cookie de session, réservé à HTTPS. Ouvrez qualicall en HTTPS (derrière un proxy inverse) ou à http://localhost ; "
        "sur un réseau de confiance seulement, l'administrateur peut démarrer le service avec QUALICALL_COOKIE_SECURE=false.",
        "Sign-in cannot work at this address: the page was opened over plain HTTP ({origin}), where the browser refuses the session "
        "cookie, which is kept for HTTPS. Open qualicall over HTTPS (behind a reverse proxy) or at http://localhost; on a trusted "
        "network only, the administrator may start the service with QUALICALL_COOKIE_SECURE=false.",
    ),
    "session_expired": ("Votre session a pris fin : reconnectez-vous.", "Your session has ended: sign in again."),
    "session_expired_form": (
        "Votre session a pris fin : reconnectez-vous. Ce que vous aviez saisi vous attend sur la page.",
        "Your session has ended: sign in again. What you typed is waiting for you on the page.",
    ),
    "logout_stale": ("Ce formulaire de déconnexion a expiré : rechargez la page et réessayez.", "This sign-out form has expired: reload the page and try again."),
    # queue
    "queue_title": ("Appels à revoir", "Calls to review"),
    "queue_intro": (
        "Classés par priorité de relecture : score bas, transcription ou attribution des rôles incertaines, items proches de leur seuil.",
        "Sorted by what most needs a human: low score, uncertain transcript or speaker roles, items near their threshold.",
    ),
    "filters": ("Filtres", "Filters"),
    "filter_agent": ("Agent", "Agent"),
    "filter_team": ("Équipe", "Team"),
    "filter_queue": ("File", "Queue"),
    "filter_from": ("Du", "From"),
    "filter_to": ("Au", "To"),
    "filter_min_score": ("Score min.", "Min. score"),
    "filter_max_score": ("Score max.", "Max. score"),
    "filters_not_applied": ("Filtres ignorés, valeur non valide (attendu : une date de 1970 à 2099, ou un nombre) : {filters}",
                            "Filters not applied, their value is none (a date from 1970 to 2099, a number): {filters}"),
    "filter_item_failed": ("Item en échec", "Failed item"),
    "filter_reviewed": ("Revue", "Reviewed"),
    "filter_signal": ("Signal client", "Customer signal"),
    "signal_complaint": ("Réclamation", "Complaint"),
    "signal_escalation_request": ("Demande d'escalade", "Escalation request"),
    "signal_churn_threat": ("Menace de départ", "Churn threat"),
    "signal_repeat_contact": ("Contact répété", "Repeat contact"),
    "signal_negative_end": ("Fin de contact négative", "Negative end sentiment"),
    "filter_any": ("Indifférent", "Any"),
    "filter_yes": ("Déjà revus", "Reviewed"),
    "filter_no": ("Pas encore revus", "Not reviewed"),
    "apply": ("Filtrer", "Filter"),
    "reset": ("Effacer", "Clear"),
    "col_call": ("Appel", "Call"),
    "col_date": ("Date", "Date"),
    "col_agent": ("Agent", "Agent"),
    "col_team": ("Équipe", "Team"),
    "col_queue": ("File", "Queue"),
    "col_channel": ("Canal", "Channel"),
    "col_score": ("Score", "Score"),
    "col_failed": ("Items en échec", "Failed items"),
    "col_why": ("Pourquoi le revoir", "Why review it"),
    "col_reviewed_by": ("Revu par", "Reviewed by"),
    "no_results": ("Aucun appel ne correspond.", "No call matches."),
    "not_reviewed": ("—", "—"),
    "more": ("Suivants", "Next"),
    "previous": ("Précédents", "Previous"),
    "pages": ("Pages", "Pages"),
    "page_n": ("Page {n}", "Page {n}"),
    "shown": ("{n} appels", "{n} calls"),
    "shown_one": ("{n} appel", "{n} call"),
    # a chart's point whose mean leaves some of the period's contacts out (abandoned ones, contacts without that value)
    "shown_in_mean": ("{n} appels, {counted} dans la moyenne", "{n} calls, {counted} in the mean"),
    "reason_low_score": ("score bas", "low score"),
    "reason_asr_confidence": ("transcription incertaine ({value})", "uncertain transcript ({value})"),
    "reason_role_confidence": ("rôles incertains ({value})", "uncertain speaker roles ({value})"),
    "reason_near_threshold": ("{item} près du seuil", "{item} near threshold"),
    # search, saved filters, exports
    "filter_search": ("Rechercher dans les transcriptions", "Search the transcripts"),
    "search_hint": ("tous les mots, accents et majuscules indifférents (« reclam » trouve « réclamation »)",
                    "every word, accents and case ignored (“reclam” finds “réclamation”)"),
    "save_filter_as": ("Enregistrer ces filtres sous", "Save these filters as"),
    "save_filter": ("Enregistrer", "Save"),
    "saved_filters": ("Filtres enregistrés", "Saved filters"),
    "delete_filter": ("Supprimer le filtre « {name} »", "Delete the filter “{name}”"),
    "filter_saved": ("Filtres enregistrés sous « {name} ».", "Filters saved as “{name}”."),
    "filter_name_missing": ("Filtres non enregistrés : donnez-leur un nom.", "Filters not saved: give them a name."),
    "filter_name_invalid": ("Filtres non enregistrés : un nom de {max} caractères au plus.", "Filters not saved: a name of at most {max} characters."),
    "export_csv": ("Exporter en CSV", "Export as CSV"),
    "print_evaluation": ("Version imprimable", "Printable version"),
    "print_title": ("Évaluation de l'appel {id}", "Evaluation of call {id}"),
    "print_button": ("Imprimer", "Print"),
    "print_agent": ("Agent : {id}", "Agent: {id}"),
    "print_reviewed_by": ("Évaluation revue par {names}", "Evaluation reviewed by {names}"),
    "print_machine_only": ("Évaluation automatique, pas encore revue par un coach", "Automatic evaluation, not yet reviewed by a coach"),
    "col_verdict": ("Verdict", "Verdict"),
    "col_evidence": ("Passages", "Evidence"),
    "col_coach_comment": ("Commentaire du coach", "Coach's comment"),
    "criterion_score": ("{label} : {score}", "{label}: {score}"),
    "coach_comments": ("Commentaires du coach", "Coach's comments"),
    "printed_on": ("Édité le {date}", "Printed on {date}"),
    # interaction
    "call_title": ("Appel {id}", "Call {id}"),
    # the call page's heading by channel (a written channels lead's review: every contact read « Appel »)
    "call_title_voice": ("Appel {id}", "Call {id}"),
    "call_title_chat": ("Chat {id}", "Chat {id}"),
    "call_title_email": ("E-mail {id}", "E-mail {id}"),
    "overall_score": ("Score global", "Overall score"),
    "quality_score": ("Qualité", "Quality"),
    "operational_score": ("Opérationnel", "Operational"),
    "combined_as": ("Combiné : {parts}", "Combined: {parts}"),
    "combination_quality_only": ("pas de données opérationnelles : score global = qualité", "no operational data: overall = quality"),
    "scorecard": ("Grille", "Scorecard"),
    "failed_summary": ("{n} items non conformes", "{n} failed items"),
    "failed_summary_one": ("{n} item non conforme", "{n} failed item"),
    "none_failed": ("Aucun item en échec", "No failed item"),
    "col_item": ("Item", "Item"),
    "col_auto": ("Auto", "Auto"),
    "col_coach": ("Coach", "Coach"),
    "col_reason": ("Motif", "Reason"),
    "show_evidence": ("Voir la preuve de « {item} »", "Show the evidence for “{item}”"),
    "no_evidence": ("pas de passage à montrer", "no passage to show"),
    "override": ("Corriger", "Override"),
    "override_title": ("Corriger « {item} »", "Override “{item}”"),
    "override_status": ("Statut coach", "Coach status"),
    "override_comment": ("Commentaire", "Comment"),
    "override_submit": ("Enregistrer", "Save"),
    "override_cancel": ("Annuler", "Cancel"),
    "override_saved": ("Correction enregistrée.", "Override saved."),
    "confirm_rest": ("Valider les autres verdicts automatiques", "Confirm the other automatic verdicts"),
    "confirmed": ("Verdicts confirmés.", "Verdicts confirmed."),
    "comment_required": ("Un commentaire est demandé quand le statut change.", "A comment is required when the status changes."),
    # (qualicall rubric learn takes a passed item's sentence from the quote: the nearest miss was a guess)
    "comment_hint": ("Un commentaire est demandé quand le statut change. Citez entre « » la phrase qui fait réussir l'item : la grille l'apprendra.",
                     "A comment is required when the status changes. Quote in “ ” the sentence that passes the item: the grid will learn it."),
    # (a NUL, a lone surrogate: the store refuses them; said in the page's language, not the store's English)
    "comment_not_text": ("le texte contient un caractère qui n'est pas du texte (NUL ou caractère invalide).",
                         "the text holds a character that is not text (a NUL or a lone surrogate)."),
    "comment_too_long": ("le commentaire dépasse {max} caractères.", "the comment is longer than {max} characters."),
    "not_saved": ("Correction non enregistrée : {reason}", "Override not saved: {reason}"),
    "comment_missing": ("un commentaire est demandé quand le statut change.", "a comment is required when the status changes."),
    "status_required": ("choisissez un statut.", "choose a status."),
    "unknown_item": ("cet item n'existe pas dans la grille de l'appel.", "this item is not in the call's scorecard."),
    "override_stale": (
        "Correction non enregistrée : le formulaire avait expiré (nouvelle connexion entre-temps). Vérifiez-la et enregistrez à nouveau.",
        "Override not saved: the form had expired (you signed in again since). Check it and save again.",
    ),
    "draft_restored": (
        "Cette correction n'est pas encore enregistrée (votre session avait pris fin) : vérifiez-la et enregistrez.",
        "This override is not saved yet (your session had ended): check it and save.",
    ),
    "answer_restored": (
        "Ce que vous aviez saisi n'est pas encore envoyé (votre session avait pris fin) : vérifiez et envoyez.",
        "What you had typed is not sent yet (your session had ended): check it and send.",
    ),
    "confirm_rescored": (
        "Verdicts non confirmés : l'appel a été noté de nouveau depuis l'affichage de la page et des verdicts ont changé. Vérifiez-les, puis confirmez.",
        "Verdicts not confirmed: the call was scored again since this page was shown and verdicts changed. Check them, then confirm.",
    ),
    "confirm_stale": (
        "Verdicts non confirmés : le formulaire avait expiré. Cliquez à nouveau.",
        "Verdicts not confirmed: the form had expired. Click again.",
    ),
    "machine_value": ("machine : {value}", "machine: {value}"),
    # an item a coach overrode: its reason is the machine's, for the verdict the coach replaced
    "machine_reason": ("Verdict automatique « {status} » : {reason}", "Automatic verdict “{status}”: {reason}"),
    "machine_scores": ("Scores de la machine avant correction", "The machine's scores before the override"),
    "next_call": ("Appel suivant", "Next call"),
    "shortcuts": ("Raccourcis clavier", "Keyboard shortcuts"),
    "shortcuts_on": ("Raccourcis à une touche activés (sauf dans un champ ou sur un lien)", "Single-key shortcuts on (not in a field nor on a link)"),
    "shortcut_space": ("Lecture / pause de l'enregistrement", "Play / pause the recording"),
    "shortcut_jk": ("Item suivant / précédent (montre sa preuve)", "Next / previous item (shows its evidence)"),
    "shortcut_o": ("Corriger l'item sélectionné", "Override the selected item"),
    "shortcut_n": ("Appel suivant de la file", "Next call in the queue"),
    "shortcut_help": ("Cette aide", "This help"),
    "shortcut_speed": ("Ralentir / accélérer la lecture (de 0,75× à 2× ; réglage conservé d'un appel à l'autre)",
                       "Slower / faster playback (0.75× to 2×, kept from one call to the next)"),
    "shortcut_escape": ("Fermer une fenêtre", "Close a dialog"),
    "shortcut_enter": ("Activer le bouton ou le lien sélectionné", "Activate the focused button or link"),
    "close": ("Fermer", "Close"),
    "colon": ("\u00a0: ", ": "),
    "key_space": ("Espace", "Space"),
    "key_enter": ("Entrée", "Enter"),
    "key_escape": ("Échap", "Esc"),
    "history": ("Historique des revues", "Review history"),
    "no_history": ("Pas encore de revue.", "No review yet."),
    # the machine's verdict on the scoring the coach judged, then theirs: not "before → after" (a rejected dispute of an
    # item rescored read « non conforme → non conforme » while it went from conforme to non conforme)
    "history_line": ("{who} — {item}\u00a0: {new} (verdict automatique\u00a0: {old})", "{who} — {item}: {new} (automatic verdict: {old})"),
    "indicators": ("Indicateurs opérationnels", "Operational indicators"),
    "col_indicator": ("Indicateur", "Indicator"),
    "col_value": ("Valeur", "Value"),
    "col_target": ("Cible → limite", "Target → limit"),
    "col_source": ("Source", "Source"),
    "source_input": ("CRM / téléphonie", "CRM / telephony"),
    "source_measured": ("mesuré", "measured"),
    "indicators_absent": ("Absents (non comptés) : {names}", "Absent (not counted): {names}"),
    "transcript": ("Transcription", "Transcript"),
    "recording": ("Enregistrement", "Recording"),
    "sentiment_title": ("Sentiment du client", "Customer sentiment"),
    "sentiment_summary": ("début {start}, fin {end}, évolution {shift}", "start {start}, end {end}, shift {shift}"),
    "sentiment_point": ("Tour {turn} : {label} ({score})", "Turn {turn}: {label} ({score})"),
    "sentiment_negative": ("négatif", "negative"),
    "sentiment_neutral": ("neutre", "neutral"),
    "sentiment_positive": ("positif", "positive"),
    "signals_title": ("Signaux du client", "Customer signals"),
    "no_recording": ("Pas d'enregistrement (contact écrit ou fichier absent).", "No recording (written contact or missing file)."),
    "speaker_agent": ("Agent", "Agent"),
    "speaker_customer": ("Client", "Customer"),
    # the waveform under the player
    "waveform_title": ("Forme d'onde, agent et client", "Waveform, agent and customer"),
    "recording_truncated": ("Enregistrement incomplet : le fichier contient {held} sur les {stated} annoncées par son en-tête"
                            " (un envoi ou une copie interrompus). La fin de l'appel manque : les items qui s'y jugent"
                            " (la clôture surtout) ont été évalués sans elle.",
                            "Incomplete recording: the file holds {held} of the {stated} its header states (an upload or a copy"
                            " that stopped). The end of the call is missing: the items judged there (the closing above all)"
                            " were scored without it."),
    "legend_agent": ("Parole de l'agent", "Agent speaking"),
    "legend_customer": ("Parole du client", "Customer speaking"),
    "legend_silence": ("Silence de plus de {seconds} s", "Silence over {seconds} s"),
    "legend_overtalk": ("Chevauchement (les deux parlent)", "Overtalk (both speaking)"),
    "legend_evidence": ("Preuve d'un item : cliquer pour l'écouter", "An item's evidence: click to hear it"),
    "waveform_tick": ("{item} ({status}), preuve à {time}", "{item} ({status}), evidence at {time}"),
    "legend_tick_passed": ("item conforme (trait plein)", "item passed (solid line)"),
    "legend_tick_failed": ("item non conforme (trait épais, pointillé)", "item failed (thick dotted line)"),
    "waveform_silence": ("Silence de {start} à {end}", "Silence from {start} to {end}"),
    "waveform_overtalk": ("Chevauchement de {start} à {end}", "Overtalk from {start} to {end}"),
    "playback_speed": ("Vitesse", "Speed"),
    "seek_to": ("Écouter à partir de {time}", "Play from {time}"),
    "rubric": ("Grille {id}, version {version}", "Rubric {id}, version {version}"),
    "measures": ("Mesures", "Measures"),
    "threshold": ("seuil", "threshold"),
    "asr_confidence": ("Confiance transcription", "Transcript confidence"),
    "role_confidence": ("Confiance rôles", "Speaker-role confidence"),
    "result_version": ("Version du résultat : {n}", "Result version: {n}"),
    "coach_version": ("coach, sur la v{n} machine", "coach, on machine v{n}"),
    "back_to_queue": ("← File à revoir", "← Review queue"),
    # agents / teams
    "agents_title": ("Agents", "Agents"),
    "teams_title": ("Équipes", "Teams"),
    "agent_title": ("Agent {id}", "Agent {id}"),
    "team_title": ("Équipe {id}", "Team {id}"),
    "col_calls": ("Appels", "Calls"),
    "col_contacts": ("Contacts", "Contacts"),  # (calls, chats and e-mails, abandoned ones too: « Appels » said calls)
    "col_quality_avg": ("Qualité moy.", "Avg. quality"),
    "col_overall_avg": ("Global moy.", "Avg. overall"),
    "period": ("Période", "Period"),
    "period_day": ("jour", "day"),
    "period_week": ("semaine", "week"),
    "period_month": ("mois", "month"),
    "trend_quality": ("Score qualité et global dans le temps", "Quality and overall score over time"),
    "trend_criteria": ("Score par critère", "Score per criterion"),
    "item_pass_rates": ("Taux de conformité par item", "Pass rate per item"),
    "trend_indicators": ("Indicateurs opérationnels dans le temps", "Operational indicators over time"),
    "calls_behind": ("Appels correspondant à chaque point", "The calls behind each point"),
    "col_period": ("Période", "Period"),
    "col_pass_rate": ("Taux", "Rate"),
    "col_applicable": ("Applicable", "Applicable"),
    "chart_table": ("Données du graphique", "Chart data"),
    "no_data": ("Pas encore de données.", "No data yet."),
    # calibration
    "calibration_title": ("Calibration : machine et coachs", "Calibration: machine and coaches"),
    "calibration_intro": (
        "Pour chaque item, l'accord entre le verdict automatique et celui des coachs (confirmations et corrections). Kappa de Cohen : accord corrigé du hasard (> 0,8 très bon, < 0,4 faible).",
        "For each item, agreement between the automatic verdict and the coaches' (confirmations and overrides). Cohen's kappa: agreement corrected for chance (> 0.8 very good, < 0.4 weak).",
    ),
    "all_items": ("Tous les items", "All items"),
    "col_reviews": ("Revues", "Reviews"),
    "col_accuracy": ("Accord", "Accuracy"),
    "col_kappa": ("Kappa", "Kappa"),
    "col_confusion": ("Auto → coach", "Auto → coach"),
    "disagreements": ("Désaccords à examiner", "Disagreements to look at"),
    "no_disagreements": ("Aucun désaccord.", "No disagreement."),
    "no_reviews": ("Aucune revue pour l'instant : corrigez ou confirmez des items depuis un appel.", "No review yet: override or confirm items from a call."),
    "col_reviewer": ("Revu par", "Reviewed by"),
    "col_comment": ("Commentaire", "Comment"),
    "col_when": ("Quand", "When"),
    "not_found": ("Introuvable", "Not found"),
    "rescored_meanwhile": ("l'appel a été noté de nouveau depuis l'affichage de la page : la machine dit maintenant « {status} » ; vérifiez, puis enregistrez",
                           "the call was scored again since this page was shown: the machine now says \"{status}\"; check, then save"),
    "your_answer": ("Votre réponse, non enregistrée", "Your answer, not saved"),
    "no_such_page": ("Cette adresse ne mène à aucune page de l'espace.", "This address leads to no page of the workspace."),
    "forbidden": ("Accès refusé", "Forbidden"),
    "forbidden_lead": (
        "Cette page est réservée au responsable qualité (compte admin) : c'est lui qui crée et clôt les sessions de calibration.",
        "This page is for the quality lead (an admin account): the lead makes and closes calibration sessions.",
    ),
    "forbidden_blind": (
        "Cette session de calibration est en cours : ses résultats s'ouvrent aux coachs quand le responsable la clôt, et au responsable qui y participe quand il a noté tous ses appels, pour que chacun note à l'aveugle.",
        "This calibration session is under way: its results open to the coaches when the lead closes it, and to a lead taking part once they have scored all its calls, so that everyone scores blind.",
    ),
    "forbidden_not_assigned": ("Vous ne participez pas à cette session de calibration.", "You are not taking part in this calibration session."),
    # calibration sessions (double marking)
    "nav_assignments": ("Mes affectations", "My assignments"),
    "session_from_queue": ("Créer une session de calibration avec ces appels", "Make a calibration session of these calls"),
    "sessions_title": ("Sessions de calibration", "Calibration sessions"),
    "sessions_intro": (
        "Plusieurs coachs notent à l'aveugle les mêmes appels (double correction) ; la session montre, item par item, leur accord entre eux et avec la machine.",
        "Several coaches score the same calls blind (double marking); the session shows, item by item, how they agree with each other and with the machine.",
    ),
    "session_new": ("Nouvelle session de calibration", "New calibration session"),
    "session_new_intro": (
        "Choisissez les coachs et les appels : un tirage aléatoire par agent et par semaine, ou les appels des filtres de la file. Chaque coach note tous les items de chaque appel, sans voir les verdicts de la machine ni ceux des autres.",
        "Choose the coaches and the calls: a random draw per agent and week, or the calls of the queue's filters. Each coach scores every item of every call, without seeing the machine's verdicts or the others'.",
    ),
    "back_to_sessions": ("← Sessions de calibration", "← Calibration sessions"),
    "no_sessions": ("Aucune session pour l'instant.", "No session yet."),
    "col_session": ("Session", "Session"),
    "col_progress": ("Avancement par coach", "Progress per coach"),
    "col_created": ("Créée", "Made"),
    "session_state_open": ("En cours", "Open"),
    "session_state_closed": ("Clôturée", "Closed"),
    "session_name": ("Nom de la session", "Session name"),
    "session_coaches": ("Coachs participants (deux au moins)", "Coaches taking part (two at least)"),
    "session_calls": ("Appels", "Calls"),
    "session_mode_random": ("Tirage aléatoire par agent et par semaine ISO", "Random draw per agent and ISO week"),
    "session_per_week": ("Appels par agent et par semaine", "Calls per agent and week"),
    "session_seed": ("Graine du tirage", "Seed of the draw"),
    "session_seed_hint": (
        "La même graine sur les mêmes contacts tire les mêmes appels : elle est affichée sur la page de la session.",
        "The same seed on the same contacts draws the same calls: the session's page shows it.",
    ),
    "session_mode_queue": ("Les {n} appels des filtres de la file", "The {n} calls of the queue's filters"),
    "session_mode_queue_one": ("L'appel des filtres de la file ({n})", "The call of the queue's filters ({n})"),
    "session_limits": ("Une session compte {max} appels au plus.", "A session holds at most {max} calls."),
    "session_create": ("Créer la session", "Make the session"),
    "session_made": ("Session créée : les coachs la trouvent dans « Mes affectations ».", "Session made: the coaches find it under “My assignments”."),
    "session_not_made": ("Session non créée : {reason}", "Session not made: {reason}"),
    "session_name_missing": ("donnez-lui un nom.", "give it a name."),
    "session_name_invalid": ("un nom de {max} caractères au plus, en texte.", "a name of at most {max} characters, of text."),
    "session_coaches_needed": ("choisissez deux coachs au moins.", "choose two coaches at least."),
    "session_dates_needed": ("donnez une période : une date de début, une date de fin qui ne la précède pas.", "give a period: a start date, and an end date not before it."),
    "session_per_week_needed": ("de 1 à {max} appels par agent et par semaine.", "from 1 to {max} calls per agent and week."),
    "session_seed_needed": ("une graine de 1 à {max}.", "a seed from 1 to {max}."),
    "session_queue_missing": ("ouvrez ce formulaire depuis la file pour en reprendre les filtres.", "open this form from the queue to take its filters."),
    "session_no_calls": ("aucun appel ne correspond.", "no call matches."),
    "session_calls_changed": ("des appels ont été supprimés entre-temps : réessayez.", "calls were deleted meanwhile: try again."),
    "session_too_many_calls": ("{n} appels correspondent, {max} au plus : réduisez la période ou le nombre par semaine, ou filtrez davantage.",
                               "{n} calls match, {max} at most: shorten the period, lower the number per week, or filter more."),
    "sample_random": ("Tirage aléatoire : {n} appel(s) par agent et par semaine ISO, du {start} au {end}, graine {seed}.",
                      "Random draw: {n} call(s) per agent and ISO week, from {start} to {end}, seed {seed}."),
    "sample_queue": ("Appels des filtres de la file : {filters}.", "Calls of the queue's filters: {filters}."),
    "sample_queue_all": ("tous les appels de la file", "every call of the queue"),
    "sample_queue_open": ("ouvrir la file avec ces filtres", "open the queue with these filters"),
    "session_made_by": ("Créée par {who} le {when}", "Made by {who} on {when}"),
    "session_closed_on": ("clôturée le {when}", "closed on {when}"),
    "session_calls_n": ("{n} appels", "{n} calls"),
    "session_calls_n_one": ("{n} appel", "{n} call"),
    "progress": ("{done}/{total} notés", "{done}/{total} scored"),
    "session_close": ("Clôturer la session", "Close the session"),
    "session_close_hint": ("plus de nouvelle note ; les résultats s'ouvrent aux coachs.", "no more scoring; the results open to the coaches."),
    "session_closed": ("Session clôturée.", "Session closed."),
    "session_is_closed": ("la session est clôturée.", "the session is closed."),
    "session_kappa_intro": (
        "Kappa entre coachs : moyenne des kappas de Cohen de chaque paire de coachs, sur les appels que les deux ont notés (kappa de Light, 1971). "
        "Kappa coach/machine : kappa de Cohen du coach et du verdict automatique. 1 : accord parfait ; 0 : pas mieux que le hasard ; > 0,8 très bon, < 0,4 faible.",
        "Kappa between coaches: the mean of Cohen's kappa over each pair of coaches, on the calls both scored (Light's kappa, 1971). "
        "Coach/machine kappa: Cohen's kappa of the coach and the automatic verdict. 1: perfect agreement; 0: no better than chance; > 0.8 very good, < 0.4 weak.",
    ),
    "session_no_verdicts": ("Aucune note pour l'instant.", "No verdict yet."),
    "col_compared": ("Appels comparés", "Calls compared"),
    "col_unanimous": ("Unanimes", "Unanimous"),
    "col_kappa_coaches": ("Kappa entre coachs", "Kappa between coaches"),
    "col_kappa_machine": ("Kappa {coach}/machine", "Kappa {coach}/machine"),
    "col_verdict_counts": ("Verdicts des coachs", "Coaches' verdicts"),
    "col_machine": ("Machine", "Machine"),
    "col_pair": ("Paire de coachs", "Pair of coaches"),
    "session_pairs": ("Kappa par paire de coachs (tous items)", "Kappa per pair of coaches (all items)"),
    "session_disagreements": ("Appels où les coachs ne sont pas d'accord", "Calls on which the coaches disagree"),
    "session_against_machine": ("Appels où les coachs sont d'accord entre eux, pas avec la machine",
                                "Calls on which the coaches agree with each other, not with the machine"),
    "session_against_machine_intro": ("Ce que la machine se trompe probablement à juger : à corriger sur l'appel (le verdict de référence),"
                                      " d'où la grille apprend (qualicall rubric learn).",
                                      "What the machine likely gets wrong: correct it on the call (the verdict of record), which the"
                                      " grid learns from (qualicall rubric learn)."),
    "no_against_machine": ("Aucun : là où les coachs s'accordent, la machine aussi.", "None: where the coaches agree, so does the machine."),
    "col_coaches": ("Coachs", "Coaches"),
    "no_comment": ("sans commentaire", "no comment"),
    "call_comments": ("Commentaires sur l'appel", "Comments on the call"),
    "no_call_comments": ("Aucun commentaire sur l'appel.", "No comment on the call."),
    "call_comment_label": ("Commenter l'appel", "Comment on the call"),
    "call_comment_submit": ("Enregistrer le commentaire", "Save the comment"),
    "call_comment_missing": ("écrivez le commentaire", "write the comment"),
    "comment_saved": ("Commentaire enregistré.", "Comment saved."),
    "comment_not_saved": ("Commentaire non enregistré : {reason}", "Comment not saved: {reason}"),
    "private_note": ("note interne", "internal note"),
    "private_note_hint": ("Note interne : les coachs seuls la lisent, jamais l'agent", "Internal note: coaches only read it, never the agent"),
    # (an agent's-eye review: the overall score weighs the wait before pick-up, which is not the agent's doing)
    "mine_quality_mean": ("Votre qualité moyenne sur ces appels : {mean} ({n} appels). Le score global y ajoute les indicateurs"
                          " opérationnels, comme l'attente avant décroché.",
                          "Your mean quality over these calls: {mean} ({n} calls). The overall score adds the operational"
                          " indicators, such as the wait before pick-up."),
    "mine_quality_mean_one": ("Votre qualité sur cet appel : {mean}. Le score global y ajoute les indicateurs opérationnels,"
                              " comme l'attente avant décroché.",
                              "Your quality on this call: {mean}. The overall score adds the operational indicators, such as the"
                              " wait before pick-up."),
    "session_close_unfinished": ("Tous les coachs n'ont pas fini : {coaches}. Clôturée, la session ne prendra plus leurs verdicts.",
                                 "Not every coach has finished: {coaches}. Once closed, the session takes no more of their verdicts."),
    "session_close_anyway": ("Clôturer quand même", "Close anyway"),
    "closed_sessions": ("Sessions clôturées : les résultats", "Closed sessions: the results"),
    "col_comments": ("Commentaires", "Comments"),
    "agrees_of": ("{n} pareils sur {total}", "{n} alike of {total}"),
    "assignments_title": ("Mes affectations", "My assignments"),
    "assignments_intro": (
        "Les appels à noter dans les sessions de calibration en cours. Notez chaque item à l'aveugle : ni les verdicts de la machine ni ceux des autres coachs ne sont montrés.",
        "The calls to score in the calibration sessions under way. Score every item blind: neither the machine's verdicts nor the other coaches' are shown.",
    ),
    "no_assignments": ("Aucun appel à noter pour l'instant.", "No call to score for now."),
    "score_next": ("Noter l'appel suivant", "Score the next call"),
    "scored": ("noté", "scored"),
    "to_score": ("à noter", "to score"),
    "back_to_assignments": ("← Mes affectations", "← My assignments"),
    "blind_position": ("appel {n} sur {total}", "call {n} of {total}"),
    "blind_intro": (
        "Notation à l'aveugle : écoutez ou lisez l'appel et donnez un verdict à chaque item. Les verdicts de la machine et des autres coachs restent cachés jusqu'à la clôture.",
        "Blind scoring: listen to or read the call and give every item a verdict. The machine's and the other coaches' verdicts stay hidden until the session closes.",
    ),
    "previous_call": ("Appel précédent", "Previous call"),
    "comment_on": ("Commentaire sur « {item} »", "Comment on “{item}”"),
    "verdicts_submit": ("Enregistrer mes verdicts", "Save my verdicts"),
    "verdicts_saved": ("Verdicts enregistrés.", "Verdicts saved."),
    "session_finished": ("Tous vos appels de la session sont notés. Merci !", "Every call of the session is scored. Thank you!"),
    "verdicts_not_saved": ("Verdicts non enregistrés : {reason}", "Verdicts not saved: {reason}"),
    "verdicts_missing": ("donnez un verdict à chaque item (les lignes signalées).", "give every item a verdict (the rows marked)."),
    "comment_invalid": ("un commentaire contient des caractères qui ne sont pas du texte.", "a comment holds characters that are not text."),
    # agents: their own evaluations, and disputes
    "forbidden_text": (
        "Cette page n'est pas accessible avec votre compte : un compte agent ne voit que ses propres appels.",
        "This page is not open to your account: an agent's account sees its own calls only.",
    ),
    "nav_mine": ("Mes évaluations", "My evaluations"),
    "nav_disputes": ("Contestations", "Disputes"),
    "back_to_mine": ("← Mes évaluations", "← My evaluations"),
    "mine_title": ("Mes évaluations", "My evaluations"),
    "mine_trend": ("Votre score qualité, semaine par semaine", "Your quality score, week by week"),
    "mine_calls": ("Vos appels", "Your calls"),
    "mine_week": ("Vos appels de la {week}", "Your calls in {week}"),
    "mine_all_weeks": ("toutes les semaines", "every week"),
    "mine_moved_title": ("Vos contestations d'appels réattribués à un autre agent", "Your disputes of calls since moved to another agent"),
    "mine_intro": (
        "Les appels de l'agent {agent}, du plus récent au plus ancien, avec les verdicts retenus (ceux des coachs quand ils en ont donné). "
        "Ouvrez un appel pour voir les preuves et les commentaires, et contester un item.",
        "The calls of agent {agent}, newest first, with the verdicts of record (the coaches' where they gave one). "
        "Open a call to see the evidence and the comments, and to dispute an item.",
    ),
    "coach_verdicts": ("par un coach", "by a coach"),
    "next_page": ("Suivants →", "Next →"),
    "disputes_title": ("Contestations", "Disputes"),
    "disputes_page_title": ("Contestations des agents", "Agents' disputes"),
    "disputes_intro": (
        "Les items que les agents contestent : ouvrez l'appel pour accepter la contestation (l'item prend le statut demandé) ou la rejeter, avec un commentaire.",
        "The items agents dispute: open the call to uphold the dispute (the item takes the status asked for) or reject it, with a comment.",
    ),
    "no_disputes": ("Aucune contestation.", "No dispute."),
    "dispute": ("Contester", "Dispute"),
    "disputed": ("Contesté", "Disputed"),
    "dispute_new": ("Contester un item", "Dispute an item"),
    "dispute_status": ("Statut demandé", "Status asked for"),
    "dispute_comment": ("Pourquoi (obligatoire)", "Why (required)"),
    "dispute_submit": ("Envoyer la contestation", "Send the dispute"),
    "dispute_saved": ("Contestation envoyée : un coach va l'examiner.", "Dispute sent: a coach will look at it."),
    "dispute_resolved": ("Décision enregistrée.", "Decision saved."),
    "dispute_not_saved": ("Contestation non enregistrée : {reason}", "Dispute not saved: {reason}"),
    "resolution_not_saved": ("Décision non enregistrée : {reason}", "Decision not saved: {reason}"),
    "dispute_status_required": ("choisissez le statut demandé.", "choose the status you ask for."),
    "dispute_comment_missing": ("dites pourquoi vous contestez ce verdict.", "say why you dispute this verdict."),
    "dispute_same_status": ("l'item a déjà ce statut : demandez-en un autre.", "the item has this status already: ask for another."),
    "dispute_open_already": ("cet item est déjà contesté, en attente d'un coach.", "this item is disputed already, waiting for a coach."),
    "open_disputes": ("{n} contestations en attente", "{n} disputes waiting"),
    "open_disputes_one": ("{n} contestation en attente", "{n} dispute waiting"),
    "dispute_answered_already": ("un coach a déjà rejeté la contestation de cet item, et son verdict n'a pas changé depuis : parlez-en à votre coach.",
                                 "a coach has rejected the dispute of this item already, and its verdict has not changed since: talk to your coach."),
    "resolution_required": ("choisissez d'accepter ou de rejeter la contestation.", "choose to uphold or reject the dispute."),
    "resolution_comment_missing": ("un commentaire est demandé pour l'agent.", "a comment for the agent is required."),
    "dispute_resolved_already": ("cette contestation a déjà été traitée.", "this dispute has been resolved already."),
    "resolution_comment": ("Réponse à l'agent", "Answer to the agent"),
    "uphold": ("Accepter ({status})", "Uphold ({status})"),
    "reject": ("Rejeter (reste {status})", "Reject (stays {status})"),
    "resolved_by": ("Décision de {who}", "Decision by {who}"),
    "dispute_rescored": ("Réglée par une nouvelle évaluation automatique de l'appel : l'item est désormais « {status} ».",
                         "Settled by a new automatic scoring of the call: the item is now “{status}”."),
    "dispute_state_open": ("En attente", "Waiting"),
    "dispute_state_upheld": ("Acceptée", "Upheld"),
    "dispute_state_rejected": ("Rejetée", "Rejected"),
    "dispute_state_all": ("Toutes", "All"),
    "col_dispute_asks": ("Verdict → demandé", "Verdict → asked for"),
    "col_state": ("État", "State"),
    "col_disputes": ("Contestations", "Disputes"),
    "col_disputes_detail": ("en attente · accordées · rejetées", "waiting · upheld · rejected"),
}

# Criterion, item and indicator labels, and the verdicts in words: qualicall.scorer.labels.


# The measures checks give beside their verdicts (qualicall.scorer.checks), shown under an item's reason.
MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "flesch": ("lisibilité de Flesch", "Flesch reading ease"),
    "words": ("mots", "words"),
    "sentences": ("phrases", "sentences"),
    "mean_sentence_words": ("mots par phrase", "words per sentence"),
    "long_share": ("part en phrases longues", "share in long sentences"),
    "longest_sentence_words": ("mots de la plus longue phrase", "words in the longest sentence"),
    "unpunctuated_share": ("part non ponctuée", "unpunctuated share"),
    "similarity": ("similarité", "similarity"),
    "score": ("score", "score"),
    "margin": ("marge", "margin"),
    "overlap": ("recouvrement", "overlap"),
    "content_words": ("mots pleins", "content words"),
    "restated": ("mots repris", "words restated"),
    "count": ("occurrences", "count"),
    "informal": ("adresses familières", "familiar address"),
    "familiar": ("mots familiers", "familiar words"),
    "courtesy_words": ("mots de politesse", "courtesy words"),
    "wpm": ("mots par minute", "words per minute"),
}
# Measures that are shares of a whole, shown as percentages.
SHARE_MEASURES = frozenset({"long_share", "unpunctuated_share"})


def normalise_language(value: str | None) -> str:
    value = (value or "").strip().lower()[:2]
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def language_from_header(accept_language: str | None, default: str | None = DEFAULT_LANGUAGE) -> str | None:
    """The first of the browser's languages we speak, `default` (French) otherwise."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default


class Translator:
    """`t("key", name=…)` in templates; `label(id)` for criteria and items (from the rubrics) and indicators."""

    def __init__(self, language: str, rubrics: Sequence["Rubric"] = (), zone: str | None = None):
        self.language = normalise_language(language)
        self.zone = zone  # the deployment's time zone (settings.time_zone): `event`
        self._index = LANGUAGES.index(self.language)
        self.rubrics = list(rubrics)
        self._order = labels.grid_order(self.rubrics)

    def __call__(self, key: str, **values: object) -> str:
        """The string `key` in this language, filled with `values`; with a count `n` that this language says in the singular
        (French: 0 and 1, English: 1), its `_one` form where it has one (« 1 appel », not « 1 appels »)."""
        count = values.get("n")
        if isinstance(count, int) and f"{key}_one" in STRINGS and (count in (0, 1) if self.language == "fr" else count == 1):
            key = f"{key}_one"
        text = STRINGS[key][self._index]
        return text.format(**values) if values else text

    def preferring(self, rubric_id: str | None) -> "Translator":
        """This translator asking the rubric `rubric_id` first: a call is shown with its own rubric's labels."""
        first = [r for r in self.rubrics if r.id == rubric_id]
        return Translator(self.language, first + [r for r in self.rubrics if r.id != rubric_id], self.zone)

    def label(self, key: str, fallback: str | None = None) -> str:
        return labels.label(key, self.language, self.rubrics, fallback)

    def order(self, key: str) -> tuple[int, str]:
        """Criteria, items and indicators in the grid's order (the rubrics'), others after, by name."""
        return self._order(key)

    def status(self, status: str | None) -> str:
        return labels.status(status, self.language)

    def number(self, value: float | None, digits: int = 1) -> str:
        return locale.number(value, digits, self.language)

    def measure(self, name: str, value: Any) -> str:
        """A check's measure, named and written in this language: « lisibilité de Flesch 94,1 », « part en phrases longues 12 % »."""
        label = MEASURE_LABELS[name][self._index] if name in MEASURE_LABELS else name.replace("_", " ")
        return f"{label} {self.measure_value(name, value)}"

    def measure_value(self, name: str, value: Any) -> str:
        """A measure's value (or its threshold) as this language writes it, a share as a percentage."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "—" if value is None else str(value)
        return locale.formatted(value, ".0%" if name in SHARE_MEASURES else "g", self.language)

    def percent(self, share: float | None) -> str:
        """A share of a whole as a whole percentage: « 45 % », "45%"."""
        return "—" if share is None else locale.formatted(share, ".0%", self.language)

    def moment(self, iso: str | None) -> str:
        """A contact's date and time as written where it happened: « 20/11/2026 10:00 », "2026-11-20 10:00"."""
        return locale.moment(iso, self.language)

    def event(self, iso: str | None) -> str:
        """When the server recorded something (a review, a dispute, a session), in the deployment's time zone: stored in
        UTC, it read an hour early in Paris in winter."""
        return locale.event(iso, self.language, self.zone)

    def period(self, key: str, short: bool = False) -> str:
        """A trend's period: « sem. 45 (2026) », "week 45 (2026)", « nov. 2026 »; `short`: without the year."""
        return locale.period(key, self.language, short)

    def decimal(self, text: str) -> str:
        """A number already written ("0.5", a chart's tick) with this language's decimal mark."""
        return locale.decimal(text, self.language)

    def reason(self, said: Mapping[str, Any]) -> str:
        """An item's or a signal's reason in this language, from its code and parameters (qualicall.scorer.reasons)."""
        from qualicall.scorer.reasons import reason_text

        return reason_text(said, self.language)
