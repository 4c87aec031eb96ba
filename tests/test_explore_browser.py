"""The explorer in a real browser: Playwright for Python driving Debian's
chromium (Playwright's own browser download is not reachable here, so it is
launched by path). Type an expression, move an input, read the gradients;
step through backward and check that no node moves; train XOR to 4/4;
restore a view from the URL's hash; and no JavaScript error anywhere.

Waits are for conditions, with generous timeouts; nothing is timed.
"""

from __future__ import annotations

import re
import shutil

import pytest

from browser import WAIT, browser, expect, page, server  # noqa: F401  (fixtures)

if shutil.which("dot") is None:
    pytest.skip("needs Graphviz's dot program to draw the graphs", allow_module_level=True)


def open_page(pg, hash_=""):
    pg.goto(pg.base + hash_)
    expect(pg.locator("[data-testid=graph] g.node").first).to_be_visible(timeout=WAIT)


def grad_of(pg, name):
    return pg.locator(f'#inputs tr[data-name="{name}"] .grad')


def node_boxes(pg):
    """The on-screen box of every node's shape in the graph, by node id."""
    return pg.evaluate("""() => {
        const boxes = {};
        for (const g of document.querySelectorAll('[data-testid=graph] g.node')) {
            const id = g.querySelector('title').textContent;
            const r = g.querySelector('polygon, ellipse, path').getBoundingClientRect();
            boxes[id] = [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 100) / 100);
        }
        return boxes;
    }""")


def test_type_an_expression_change_an_input_read_the_gradients(page):
    open_page(page)
    page.get_by_test_id("expression").fill("a*b + a")
    expect(page.get_by_test_id("input-a")).to_be_visible()
    page.get_by_test_id("input-a").fill("2")
    page.get_by_test_id("input-b").fill("-3")
    expect(grad_of(page, "a")).to_have_text("-2", timeout=WAIT)  # d/da (ab + a) = b + 1
    expect(grad_of(page, "b")).to_have_text("2")
    expect(page.locator("#expr-output")).to_have_text("= -4")
    # Typed, the graph opens at step 0 of the chain rule (Next runs it); at
    # the last step every node holds its gradient.
    expect(page.locator("#step-counter")).to_have_text(re.compile(r"^step 0 of \d+$"))
    page.locator("#step-slider").press("End")
    expect(page.get_by_test_id("step-next")).to_be_disabled()
    graph_text = page.get_by_test_id("graph").inner_text()
    assert "grad -2" in graph_text and "data -6" in graph_text
    # The slider moves the same input: b to the end of its range, 5.
    page.locator('#inputs tr[data-name="b"] input[type=range]').press("End")
    expect(page.get_by_test_id("input-b")).to_have_value("5")
    expect(grad_of(page, "a")).to_have_text("6", timeout=WAIT)
    page.get_by_test_id("input-b").fill("-3")
    expect(grad_of(page, "a")).to_have_text("-2", timeout=WAIT)
    # A bad expression: the parser's message beside the box, the last graph stays.
    page.get_by_test_id("expression").fill("a*b + __import__('os')")
    expect(page.locator("#expr-error")).to_contain_text("not allowed", timeout=WAIT)
    assert "grad -2" in page.get_by_test_id("graph").inner_text()


def test_stepping_backward_moves_no_node_and_the_counters_agree(page):
    open_page(page, "#mode=expr&e=tanh(a*b%20%2B%20a)%20*%20c&v=a:0.5,b:-1.5,c:2")
    expect(page.get_by_test_id("step-caption")).to_contain_text("backward step 4 of 4")
    boxes = node_boxes(page)
    assert len(boxes) >= 9
    seen_sum = False
    for k in range(4, -1, -1):
        caption = page.get_by_test_id("step-caption")
        expect(caption).to_contain_text(f"backward step {k} of 4")
        expect(page.locator("#step-counter")).to_have_text(f"step {k} of 4")
        assert node_boxes(page) == boxes, f"a node moved at step {k}"
        if k == 4:  # the product runs last: a already holds a term from the sum
            expect(page.get_by_test_id("step-next")).to_be_disabled()  # the last step
            expect(page.locator("#step-sums")).to_contain_text("a.grad: ")
            expect(page.locator("#step-sums")).to_contain_text(" + (")
            seen_sum = True
        if k:
            page.get_by_test_id("step-prev").click()
    assert seen_sum
    expect(page.get_by_test_id("step-prev")).to_be_disabled()  # the first step
    # Step 0 only seeds the output: every input's grad is 0 on screen.
    assert page.get_by_test_id("graph").inner_text().count("grad 0\n") >= 3
    page.get_by_test_id("step-next").click()
    expect(page.get_by_test_id("step-caption")).to_contain_text("backward step 1 of 4")
    page.locator("body").press("ArrowRight")
    expect(page.get_by_test_id("step-caption")).to_contain_text("backward step 2 of 4")
    assert node_boxes(page) == boxes
    assert "s=2" in page.evaluate("location.hash")  # the step is in the link


def test_an_infinite_gradient_reads_inf_in_the_table_and_on_the_graph(page):
    open_page(page, "#mode=expr&e=x%20**%200.5&v=x:0")  # d/dx sqrt(x) at 0 is +inf, never 0
    expect(grad_of(page, "x")).to_have_text("inf")
    graph_text = page.get_by_test_id("graph").inner_text()
    assert "grad inf" in graph_text and "1 × inf = inf" in graph_text


def test_train_xor_to_four_of_four(page):
    page.goto(page.base + "#mode=train&ds=xor")
    expect(page.get_by_test_id("train-dataset")).to_have_value("xor")
    page.get_by_test_id("train-step").click()  # a link alone starts nothing: a click does
    expect(page.get_by_test_id("accuracy")).to_have_text(re.compile(r"^\d/4$"))
    first = float(page.get_by_test_id("loss").text_content())
    page.get_by_test_id("train-play").click()
    expect(page.get_by_test_id("accuracy")).to_have_text("4/4", timeout=120_000)
    page.get_by_test_id("train-pause").click()
    expect(page.get_by_test_id("train-play")).to_be_enabled()
    assert float(page.get_by_test_id("loss").text_content()) < first
    expect(page.get_by_test_id("loss-curve")).to_be_visible()
    expect(page.get_by_test_id("boundary")).to_be_visible()
    # The network view: one map per hidden neuron and the output, weights as lines.
    assert page.locator("#network g.neuron").count() == 16 + 1
    assert page.locator("#network line.weight").count() == 2 * 16 + 16
    steps = int(page.locator("#train-steps").text_content())
    page.get_by_test_id("train-step").click()
    expect(page.locator("#train-steps")).to_have_text(str(steps + 1))
    # A neuron opens as its graph in the expression view.
    page.locator("#network g.neuron").first.click()
    expect(page.get_by_test_id("expression")).to_have_value("relu(w0*x0 + w1*x1 + b)")
    expect(page.get_by_test_id("graph").locator("g.node").first).to_be_visible()
    expect(page.locator("#expr-caption")).to_contain_text("neuron 1 of the hidden layer 1")


def test_a_link_restores_the_view(page):
    open_page(page, "#mode=expr&e=x*y&v=x:3,y:4&p=x&s=1&c=1")
    expect(page.get_by_test_id("expression")).to_have_value("x*y")
    expect(page.get_by_test_id("input-x")).to_have_value("3")
    expect(page.get_by_test_id("input-y")).to_have_value("4")
    expect(page.get_by_test_id("step-caption")).to_contain_text("backward step 1 of 1")
    expect(page.locator('#inputs tr[data-name="x"] input[type=checkbox]')).to_be_checked()
    expect(page.locator('#inputs tr[data-name="x"] td.fd')).to_contain_text("agrees")
    page.goto(page.base + "#mode=train&ds=moons&h=4,4&act=tanh&lr=0.05")
    expect(page.get_by_test_id("train-dataset")).to_have_value("moons")
    expect(page.locator("#train-hidden")).to_have_value("4,4")
    expect(page.locator("#train-activation")).to_have_value("tanh")
    expect(page.locator("#train-lr")).to_have_value("0.05")
    page.get_by_test_id("train-step").click()
    expect(page.get_by_test_id("accuracy")).to_have_text(re.compile(r"^\d+/100$"))


def test_a_link_from_another_site_restores_settings_but_trains_nothing_until_a_click(page, server):
    """#mode=train&h=512,512,512 made the page create that session as it
    loaded; now the settings are restored and nothing runs until a click."""
    before = set(server.sessions.items)
    page.goto(page.base + "#mode=train&ds=xor&h=64,64,64")
    expect(page.locator("#train-hidden")).to_have_value("64,64,64")
    page.wait_for_timeout(1000)  # what the page did 0.2 s after load, it would have done by now
    assert set(server.sessions.items) == before
    expect(page.get_by_test_id("accuracy")).to_have_text("–")
    page.get_by_test_id("train-step").click()
    expect(page.get_by_test_id("accuracy")).to_have_text(re.compile(r"^\d/4$"))
    assert len(set(server.sessions.items) - before) == 1


def test_a_diverging_run_stops_with_its_one_line_on_the_page(page):
    """blobs with mse at lr 0.1 played on to a loss of 1e58 with no message;
    now the command line's check stops it and the page says where."""
    page.goto(page.base + "#mode=train&ds=blobs&loss=mse&lr=0.1")
    page.get_by_test_id("train-play").click()
    expect(page.locator("#train-error")).to_contain_text("training stopped at step 7: the loss grew")
    expect(page.locator("#train-error")).to_contain_text("lower the learning rate (try a tenth: 0.01)")
    expect(page.get_by_test_id("train-play")).to_be_enabled()  # Play stopped by itself
    assert page.locator("#train-steps").text_content() == "7"


def test_choosing_a_loss_brings_its_learning_rate_as_on_the_command_line(page):
    from micrograd_scratch.cli.training import defaults_for

    page.goto(page.base + "#mode=train&ds=blobs")
    own, mse = defaults_for("blobs"), defaults_for("blobs", "mse")
    expect(page.locator("#train-lr")).to_have_attribute("placeholder", f"{own['lr']}")
    page.locator("#train-lr").fill("0.5")
    page.locator("#train-loss").select_option("mse")
    expect(page.locator("#train-lr")).to_have_value("")  # the typed rate gives way to mse's
    expect(page.locator("#train-lr")).to_have_attribute("placeholder", f"{mse['lr']}")
    expect(page.locator("#train-lr-end")).to_have_attribute("placeholder", f"{mse['lr_end']}")
    page.locator("#train-lr-end").fill("0.5")  # above the rate: refused, as train refuses it
    page.locator("#train-lr-end").dispatch_event("change")
    expect(page.locator("#train-error")).to_contain_text("is above lr 0.02")
