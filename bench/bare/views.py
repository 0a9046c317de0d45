from django.http import HttpResponse


def hello(request):
    return HttpResponse(b"hello\n", content_type="text/plain")
