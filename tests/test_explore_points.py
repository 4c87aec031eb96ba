"""Your own points in the explorer, in a real browser (Playwright driving
Debian's chromium, as tests/test_explore_browser.py does): click to add
points of either class, erase one, train on them, reload from the link and
find the same points and the same trained weights; paste a CSV; see dead
units greyed out in the network view.

Waits are for conditions, with generous timeouts; nothing is timed.
"""

from __future__ import annotations

import re

from browser import browser, expect, page, server  # noqa: F401  (fixtures)


def open_training(pg, hash_):
    """Open a link; a click on the Train tab starts its session (a link alone starts nothing)."""
    pg.goto(pg.base + hash_)
    pg.locator("#tab-train").click()
    expect(pg.locator("#network g.neuron").first).to_be_visible()


def click_map(pg, fx, fy, shift=False):
    """Click the map at a fraction (fx across, fy down) of its size."""
    box = pg.locator("#boundary").bounding_box()
    pg.locator("#boundary").click(position={"x": fx * box["width"], "y": fy * box["height"]},
                                  modifiers=["Shift"] if shift else [])


def shown(pg):
    """The points on the page and the parameters of the network it shows."""
    return pg.evaluate("[state.train.points, training.last.parameters]")


def test_clicked_points_train_and_come_back_from_the_link(page):
    open_training(page, "#mode=train&ds=xor&h=4")
    expect(page.get_by_test_id("points-note")).to_have_text("the xor data set's 4 points")
    page.get_by_test_id("points-clear").click()
    expect(page.get_by_test_id("points-note")).to_have_text("no points: click the map to add some")
    # Class 1 (the menu's choice) on one diagonal, class 0 (shift) on the other, one extra.
    page.get_by_test_id("point-class").select_option("1")
    for fx, fy, shift in [(0.2, 0.2, False), (0.8, 0.8, False), (0.2, 0.8, True),
                          (0.8, 0.2, True), (0.5, 0.5, False)]:
        click_map(page, fx, fy, shift)
    expect(page.get_by_test_id("points-note")).to_have_text("your 5 points")
    expect(page.get_by_test_id("accuracy")).to_have_text(re.compile(r"^\d/5$"))
    page.get_by_test_id("point-tool").select_option("erase")
    click_map(page, 0.5, 0.5)
    expect(page.get_by_test_id("points-note")).to_have_text("your 4 points")
    expect(page.get_by_test_id("accuracy")).to_have_text(re.compile(r"^\d/4$"))
    points, _ = shown(page)
    assert [p[2] for p in points] == [1, 1, 0, 0]
    assert points[0][0] < points[1][0] and points[0][1] > points[1][1]  # top left, bottom right

    # Train on them: the same session, no reload (the step counter goes on).
    for _ in range(3):
        page.get_by_test_id("train-step").click()
    expect(page.locator("#train-steps")).to_have_text("3")
    page.get_by_test_id("train-play").click()
    expect(page.locator("#train-steps")).not_to_have_text(re.compile(r"^[0-9]$"))
    page.get_by_test_id("train-pause").click()
    expect(page.get_by_test_id("train-play")).to_be_enabled()
    points, weights = shown(page)
    loss = page.get_by_test_id("loss").text_content()
    link = page.evaluate("location.href")
    assert "pts=" in link and "&w=" in link

    # The link, in a fresh page: the same points, the same weights, the same loss.
    page.goto("about:blank")
    open_training(page, link[len(page.base):])
    expect(page.get_by_test_id("points-note")).to_have_text("your 4 points")
    assert shown(page) == [points, weights]
    expect(page.get_by_test_id("loss")).to_have_text(loss)
    expect(page.locator("#train-steps")).to_have_text("0")


def test_a_pasted_csv_replaces_the_data_and_a_bad_one_names_its_row(page):
    open_training(page, "#mode=train&ds=moons&h=4")
    page.locator("#points-csv-open").click()
    page.get_by_test_id("points-csv").fill("x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n")
    page.get_by_test_id("points-csv-use").click()
    expect(page.get_by_test_id("points-note")).to_have_text("your 3 points")
    expect(page.get_by_test_id("accuracy")).to_have_text(re.compile(r"^\d/3$"))
    assert shown(page)[0] == [[0, 0, 0], [0, 1, 1], [1, 0, 1]]
    page.get_by_test_id("points-csv").fill("x1,x2,label\n0,0,0\n0,one,1\n")
    page.get_by_test_id("points-csv-use").click()
    expect(page.locator("#train-error")).to_have_text(
        "the CSV, row 3, column 2: 'one' is not a number")
    expect(page.get_by_test_id("points-note")).to_have_text("your 3 points")  # unchanged


def test_dead_units_are_greyed_out_with_each_layers_figures(page):
    # A 2-2-1 network from a link: unit 1's weights are -1, -1 and its bias 0,
    # so it is 0 on every XOR point (dead); unit 2 is alive.
    open_training(page, "#mode=train&ds=xor&h=2&w=-1,-1,0,1,1,0,1,1,0")
    dead = page.locator("#network g.neuron.dead")
    expect(dead).to_have_count(1)
    assert dead.get_attribute("data-layer") == "0" and dead.get_attribute("data-neuron") == "0"
    assert "dead: 0 on every point" in dead.locator("title").text_content()
    health = page.locator('#network text.health[data-layer="0"]')
    expect(health.first).to_have_text("dead 1/2")
    expect(health.nth(1)).to_contain_text("|grad| ")
    # The loss plot can show each layer's gradient too.
    page.get_by_test_id("show-grads").check()
    page.get_by_test_id("train-step").click()
    expect(page.locator("#train-steps")).to_have_text("1")
    assert page.evaluate("training.last.grad_history.length") == 2
