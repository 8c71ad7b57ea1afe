"""Every prompt template renders with its placeholders and nothing is left unfilled."""
import pytest

import prompts


@pytest.mark.parametrize("name", prompts.names())
def test_template_renders(name):
    values = {p: f"<{p}>" for p in prompts.placeholders(name)}
    out = prompts.render(name, **values)
    assert "$" not in out and all(v in out for v in values.values())


def test_missing_value_is_an_error():
    with pytest.raises(KeyError):
        prompts.render("answer_user", passages="x")


def test_answer_prompt_has_the_rules():
    system = prompts.render("answer_system")
    assert "[1]" in system and "không có thông tin" in system
