from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Liveness: the process answers. Touches no database; also the benchmarks' bare view."""
    return HttpResponse("ok", content_type="text/plain")
