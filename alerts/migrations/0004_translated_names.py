"""Reference names per language (django-modeltranslation): the columns per language, the existing English
value copied into the English one; the default rules and slippage reasons get their French and Spanish texts."""

from django.db import migrations, models


APP = "alerts"
TRANSLATED = {"rule": ["name", "description"], "slippagereason": ["label"]}


def _copy(apps, direction: str) -> None:
    """Forwards: the existing (English) value becomes the English column; backwards: the English column goes back
    into the plain one before the per-language columns are dropped."""
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model(APP, model_name)
        for field in fields:
            source, target = (field, f"{field}_en") if direction == "forwards" else (f"{field}_en", field)
            model.objects.exclude(**{f"{source}__isnull": True}).exclude(**{source: ""}).update(
                **{target: models.F(source)})

# The default rules and slippage reasons in French and Spanish (names as in the catalogues; descriptions keep the
# {placeholders} of the English text). Filled only where still empty: an administrator's text is kept.
RULE_TEXTS = {
    "LOW_DELIVERY": {
        "fr": ("Exécution faible pour la période de l'année",
               "Projet en cours doté d'une allocation pour l'année de référence, à partir du jour {from_day} du mois "
               "{from_month} (1er avril) : exécution de l'année (dépenses des périodes de l'année jusqu'au mois de "
               "référence ÷ allocations de l'année) inférieure à {amber} × la part écoulée du temps actif du projet "
               "dans l'année → orange ; inférieure à {red} × cette part → rouge. Le temps actif dans l'année va du "
               "plus tardif du 1er janvier et du début effectif (sinon prévu) au plus précoce du 31 décembre et de la "
               "fin prévue ; une fois passé, il est entièrement écoulé. En dessous de {red}, le tableau de bord de "
               "l'exécution compte aussi le projet comme « à risque ». Les projets en préparation, approuvés, "
               "suspendus, annulés ou clos ne reçoivent jamais cette alerte."),
        "es": ("Ejecución baja para la época del año",
               "Proyecto en curso con una asignación para el año de referencia, a partir del día {from_day} del mes "
               "{from_month} (1 de abril): ejecución del año (gastos de los períodos del año hasta el mes de "
               "referencia ÷ asignaciones del año) inferior a {amber} × la parte transcurrida del tiempo activo del "
               "proyecto en el año → ámbar; inferior a {red} × esa parte → rojo. El tiempo activo en el año va de la "
               "fecha más tardía entre el 1 de enero y el inicio efectivo (o previsto) a la más temprana entre el 31 "
               "de diciembre y la finalización prevista; una vez pasado, ha transcurrido por completo. Por debajo de "
               "{red} el tablero de ejecución también cuenta el proyecto como «en riesgo». Los proyectos en "
               "preparación, aprobados, suspendidos, cancelados o cerrados nunca reciben esta alerta."),
    },
    "ENDING_UNSPENT": {
        "fr": ("Fin proche avec des fonds non dépensés",
               "Projet en cours dont la fin prévue tombe dans les {window_days} prochains jours : exécution sur la "
               "durée du projet (dépenses à ce jour ÷ toutes les allocations) inférieure à {amber} → orange ; "
               "inférieure à {red} → rouge."),
        "es": ("Finaliza pronto con fondos sin gastar",
               "Proyecto en curso cuya finalización prevista cae dentro de los próximos {window_days} días: ejecución "
               "durante la vida del proyecto (gastos hasta la fecha ÷ todas las asignaciones) inferior a {amber} → "
               "ámbar; inferior a {red} → rojo."),
    },
    "NO_EXPENDITURE": {
        "fr": ("Aucune dépense enregistrée",
               "Projet en cours commencé au moins {min_started_days} jours avant la date de référence : aucune "
               "dépense dans les {amber} dernières périodes (mois) jusqu'au mois de référence → orange ; aucune dans "
               "les {red} dernières → rouge."),
        "es": ("Ningún gasto registrado",
               "Proyecto en curso iniciado al menos {min_started_days} días antes de la fecha de referencia: ningún "
               "gasto en los últimos {amber} períodos (meses) hasta el mes de referencia → ámbar; ninguno en los "
               "últimos {red} → rojo."),
    },
    "OVERSPENT": {
        "fr": ("Dépenses supérieures à l'allocation",
               "Projet approuvé, en cours, suspendu ou clos sur le plan opérationnel : dépenses de l'année "
               "supérieures à {red} × les allocations de l'année, ou dépenses à ce jour supérieures à {red} × toutes "
               "les allocations → rouge."),
        "es": ("Gastos superiores a la asignación",
               "Proyecto aprobado, en curso, suspendido o cerrado operacionalmente: gastos del año superiores a {red} "
               "× las asignaciones del año, o gastos hasta la fecha superiores a {red} × todas las asignaciones → "
               "rojo."),
    },
    "PAST_END": {
        "fr": ("Date de fin dépassée mais projet non clos",
               "Projet non encore clos (en cours, suspendu ou clos sur le plan opérationnel) dont la fin prévue est "
               "antérieure de plus de {amber} jours à la date de référence → orange ; de plus de {red} jours → "
               "rouge. Les projets en préparation, approuvés, annulés ou clos sur le plan financier ne reçoivent "
               "jamais cette alerte."),
        "es": ("Fecha de finalización vencida pero sin cerrar",
               "Proyecto aún no cerrado (en curso, suspendido o cerrado operacionalmente) cuya finalización prevista "
               "es anterior en más de {amber} días a la fecha de referencia → ámbar; en más de {red} días → rojo. "
               "Los proyectos en preparación, aprobados, cancelados o cerrados financieramente nunca reciben esta "
               "alerta."),
    },
    "EVALUATION_OVERDUE": {
        "fr": ("Évaluation en retard ou non prévue",
               "Projet approuvé, en cours, suspendu ou clos sur le plan opérationnel auquel manque une évaluation "
               "requise par son budget (règles d'évaluation requise) → orange, rouge une fois la date proposée "
               "passée ; ou évaluation prévue dont la date est passée sans être achevée → orange, rouge avec plus de "
               "90 jours de retard. Calculé par le registre des évaluations (evaluation_gaps) ; les seuils sont ceux "
               "des règles d'évaluation."),
        "es": ("Evaluación atrasada o no prevista",
               "Proyecto aprobado, en curso, suspendido o cerrado operacionalmente al que le falta una evaluación que "
               "su presupuesto exige (reglas de evaluación obligatoria) → ámbar, rojo una vez pasada la fecha "
               "propuesta; o evaluación prevista cuya fecha ha pasado sin completarse → ámbar, rojo con más de 90 "
               "días de retraso. Calculado por el registro de evaluaciones (evaluation_gaps); los umbrales son los de "
               "las reglas de evaluación."),
    },
    "INDICATORS_BEHIND": {
        "fr": ("Indicateurs en retard sur le calendrier",
               "Projet approuvé, en cours ou suspendu dont un indicateur n'est pas sur la bonne voie : progression "
               "vers la cible de sa période en cours inférieure à 0,8 × la part écoulée du temps de la période → "
               "orange ; progression inférieure à la moitié du temps écoulé → rouge. Calculé par le registre des "
               "résultats (indicators_behind)."),
        "es": ("Indicadores atrasados respecto del calendario",
               "Proyecto aprobado, en curso o suspendido con un indicador desviado: avance hacia la meta de su "
               "período en curso inferior a 0,8 × la parte transcurrida del tiempo del período → ámbar; avance "
               "inferior a la mitad del tiempo transcurrido → rojo. Calculado por el registro de resultados "
               "(indicators_behind)."),
    },
    "TRIPARTITE_GAP": {
        "fr": ("Participation tripartite prévue non réalisée",
               "Projet en cours qui n'est pas un programme autonome (des travailleurs ou des employeurs) : "
               "participation d'un groupe de mandants prévue pour une étape passée depuis plus de {grace_days} jours "
               "mais non réalisée. La formulation et l'approbation passent au début, la mise en œuvre, la gestion et "
               "le suivi à mi-parcours, l'évaluation à la fin prévue. Au moins {amber} étape × groupe de ce type → "
               "orange ; au moins {red} → rouge."),
        "es": ("Participación tripartita prevista no realizada",
               "Proyecto en curso que no es un programa autónomo (de trabajadores o de empleadores): participación de "
               "un grupo de mandantes prevista para una etapa que pasó hace más de {grace_days} días pero no "
               "realizada. La formulación y la aprobación pasan al inicio, la ejecución, la gestión y el seguimiento a "
               "mitad de la vida del proyecto, la evaluación en la finalización prevista. Al menos {amber} etapa × "
               "grupo de ese tipo → ámbar; al menos {red} → rojo."),
    },
    "REPORT_OVERDUE": {
        "fr": ("Rapport d'avancement en retard",
               "Projet approuvé, en cours, suspendu ou clos sur le plan opérationnel dont un rapport d'avancement dû "
               "n'a pas été remis : plus de {amber} jours après sa date d'échéance → orange ; plus de {red} jours → "
               "rouge."),
        "es": ("Informe de situación atrasado",
               "Proyecto aprobado, en curso, suspendido o cerrado operacionalmente con un informe de situación debido "
               "y no presentado: más de {amber} días después de su fecha de vencimiento → ámbar; más de {red} días "
               "→ rojo."),
    },
}
REASON_TEXTS = {
    "RECRUITMENT": {"fr": "Retards de recrutement", "es": "Retrasos en la contratación"},
    "COUNTERPART": {"fr": "Retards des homologues", "es": "Retrasos de las contrapartes"},
    "PROCUREMENT": {"fr": "Achats", "es": "Adquisiciones"},
    "SECURITY": {"fr": "Situation sécuritaire", "es": "Situación de seguridad"},
    "DONOR_FUNDING": {"fr": "Retard du financement du donateur", "es": "Retraso en la financiación del donante"},
    "DESIGN": {"fr": "Problèmes de conception", "es": "Problemas de diseño"},
    "OTHER": {"fr": "Autre", "es": "Otra"},
}


def _fill_translations(apps) -> None:
    Rule = apps.get_model("alerts", "Rule")
    SlippageReason = apps.get_model("alerts", "SlippageReason")
    for rule in Rule.objects.filter(code__in=RULE_TEXTS):
        for language, (name, description) in RULE_TEXTS[rule.code].items():
            if not getattr(rule, f"name_{language}"):
                setattr(rule, f"name_{language}", name)
            if not getattr(rule, f"description_{language}"):
                setattr(rule, f"description_{language}", description)
        rule.save()
    for reason in SlippageReason.objects.filter(code__in=REASON_TEXTS):
        for language, label in REASON_TEXTS[reason.code].items():
            if not getattr(reason, f"label_{language}"):
                setattr(reason, f"label_{language}", label)
        reason.save()


def forwards(apps, schema_editor):
    _copy(apps, "forwards")
    _fill_translations(apps)


def backwards(apps, schema_editor):
    _copy(apps, "backwards")


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0003_rule_descriptions_active_time'),
    ]

    operations = [
        migrations.AddField(
            model_name='rule',
            name='description_en',
            field=models.TextField(help_text='The rule and its thresholds in words. {amber}, {red} and the names of the parameters are replaced by their current values when shown.', null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='rule',
            name='description_es',
            field=models.TextField(help_text='The rule and its thresholds in words. {amber}, {red} and the names of the parameters are replaced by their current values when shown.', null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='rule',
            name='description_fr',
            field=models.TextField(help_text='The rule and its thresholds in words. {amber}, {red} and the names of the parameters are replaced by their current values when shown.', null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='rule',
            name='name_en',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='rule',
            name='name_es',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='rule',
            name='name_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='slippagereason',
            name='label_en',
            field=models.CharField(max_length=255, null=True, verbose_name='label'),
        ),
        migrations.AddField(
            model_name='slippagereason',
            name='label_es',
            field=models.CharField(max_length=255, null=True, verbose_name='label'),
        ),
        migrations.AddField(
            model_name='slippagereason',
            name='label_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='label'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
