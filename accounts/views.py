"""Sign-up with an organisation search on the same page (works without JavaScript)."""

from allauth.account.views import SignupView as AllauthSignupView

from onboarding.models import Organization

ORG_RESULTS = 30


class SignupView(AllauthSignupView):
    template_name = "account/signup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:100]
        selected = (self.request.POST.get("organization") or self.request.GET.get("org") or "").strip()
        matches = []
        if query:
            matches = list(
                Organization.objects.search(query).with_places().select_related("parent")
                .order_by("district__province__code", "district__code", "dla_code", "name_th")[: ORG_RESULTS + 1]
            )  # fmt: skip
        if selected.isdigit() and not any(str(o.pk) == selected for o in matches):
            chosen = Organization.objects.with_places().select_related("parent").filter(pk=selected).first()
            if chosen is not None:
                matches.insert(0, chosen)
        context.update(
            org_query=query, org_matches=matches[:ORG_RESULTS], org_more=len(matches) > ORG_RESULTS,
            org_selected=selected,
        )  # fmt: skip
        return context


signup = SignupView.as_view()
