"""The public status page and the decision API: thin doors onto `maintenance.services`."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .services import QuestionError, decision_payload, parse_question


@require_GET
def decision_api(request):
    try:
        question = parse_question(request.GET)
    except QuestionError as exc:
        return JsonResponse({"error": exc.message, "param": exc.param}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse(decision_payload(question), json_dumps_params={"ensure_ascii": False})


@require_GET
def status(request):
    from django.http import HttpResponse

    return HttpResponse("status")
