"""Tests for job-title normalisation (careeros.market.titles) and the ``careeros titles normalize`` CLI."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from careeros.market.titles import TitleNormalizer, clean_title, resolve_targets, split_roles
from careeros.taxonomy.onet import read_onet


@pytest.fixture(scope="module")
def norm(datasets: Path) -> TitleNormalizer:
    r = read_onet(datasets / "onet-29.3")
    t = r.tables
    return TitleNormalizer.build(t["onet_occupation"], t["onet_alternate_title"], t["onet_reported_title"])


@pytest.fixture(scope="module")
def norm_emp(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> TitleNormalizer:
    """The index as ``careeros`` builds it from the datasets folder: tasks, technology and the OEWS employment prior
    too."""
    from careeros.market.reference import title_frames
    from careeros.settings import Settings

    t = title_frames(Settings(home=tmp_path_factory.mktemp("home"), datasets=datasets))
    return TitleNormalizer.build(t["onet_occupation"], t["onet_alternate_title"], t["onet_reported_title"],
                                 t["onet_task"], t["employment"], technology=t.get("onet_technology"))


@pytest.mark.parametrize(("title", "expected", "within"), [
    ("Senior Software Engineer", "15-1252.00", 1),
    ("Sr. SWE II", "15-1252.00", 1),
    ("Staff Software Engineer - Remote (US)", "15-1252.00", 1),
    ("Principal SRE", "15-1252.00", 3),
    ("Senior SWE & SRE", "15-1252.00", 1),
    ("Junior QA Engineer", "15-1253.00", 3),
    ("Oracle DBA", "15-1242.00", 3),
    ("RN", "29-1141.00", 1),
    ("LPN - Nights", "29-2061.00", 1),
    ("CNA (Certified Nursing Assistant)", "31-1131.00", 3),
    ("Registered Nurse (Multiple Locations)", "29-1141.00", 1),
    ("Attorney-Advisor", "23-1011.00", 1),
    ("General Attorney, GS-0905-13/14", "23-1011.00", 1),
    ("IT Specialist (INFOSEC)", "15-1212.00", 3),
    ("Budget Analyst", "13-2031.00", 1),
    ("Accountant", "13-2011.00", 1),
    ("Dental Hygienist (RDH)", "29-1292.00", 1),
    ("Police Officer (Lateral) - Up to 60K Recruitment Incentive", "33-3051.00", 1),
    ("Full Stack Developer - Acme Corp - Hybrid", "15-1252.00", 3),
])
def test_top_k(norm: TitleNormalizer, title: str, expected: str, within: int) -> None:
    res = norm.normalize([title], k=5)[0]
    assert expected in [m.soc_code for m in res[:within]], (title, res[:3])
    assert all(0.0 <= m.score <= 1.0 for m in res)
    assert [m.score for m in res] == sorted((m.score for m in res), reverse=True)


@pytest.mark.parametrize("bad", ["", "   ", "@@@###", "!!!", "12345"])
def test_empty_and_garbage(norm: TitleNormalizer, bad: str) -> None:
    assert norm.normalize([bad]) == [[]]


def test_non_string_input_never_raises(norm: TitleNormalizer) -> None:
    assert norm.normalize([None, 3]) == [[], []]  # type: ignore[list-item]


def test_clean_and_split() -> None:
    assert clean_title("Sr. Software Engineer II - Remote") == "software engineer"
    assert clean_title("") == ""
    # a number that names the field is kept as its word, other numbers are noise
    assert clean_title("911 Dispatcher") == "emergency dispatcher"
    assert clean_title("Dispatcher 2") == "dispatcher"
    assert len(split_roles("Senior Full Stack Engineer, Senior DevOps Engineer, Support Engineer")) == 3
    assert len(split_roles("Management and Program Analyst")) == 1


def test_deputy_is_a_level_before_another_role_and_a_sworn_officer_otherwise() -> None:
    """USAJOBS' "Deputy Director" postings were filed under police patrol officers; "Deputy Title IX Coordinator"
    was read as one. Before another role "deputy" is a level; alone or before a sworn title it is the officer."""
    assert clean_title("Deputy Director of Finance") == clean_title("Director of Finance")
    assert clean_title("Deputy Title IX Coordinator") == clean_title("Title IX Coordinator")
    assert clean_title("Deputy Court Clerk") == clean_title("Court Clerk")
    assert clean_title("Deputy Fire Marshal") == clean_title("Fire Marshal")
    for sworn in ("Deputy", "Deputy Sheriff", "Deputy U.S. Marshal", "Deputy Chief"):
        assert clean_title(sworn).startswith("deputy"), sworn


def test_save_load_roundtrip(norm: TitleNormalizer, tmp_path: Path) -> None:
    p = tmp_path / "idx.pkl"
    norm.save(p)
    again = TitleNormalizer.load(p)
    assert "_pending" in vars(again) and "codes" not in vars(again)  # the index is unpickled on first use ...
    titles = ["Senior Data Scientist", "Clerk of Court", ""]
    assert again.normalize(titles) == norm.normalize(titles)
    assert "_pending" not in vars(again) and again.codes == norm.codes  # ... once
    # a loaded normaliser pickles, copies and saves its index (never the pending bytes); a foreign file is refused
    import pickle

    fresh = TitleNormalizer.load(p)
    assert pickle.loads(pickle.dumps(fresh)).normalize(titles) == norm.normalize(titles)
    TitleNormalizer.load(p).save(tmp_path / "again.pkl")
    assert TitleNormalizer.load(tmp_path / "again.pkl").normalize(titles) == norm.normalize(titles)
    (tmp_path / "old.pkl").write_bytes(pickle.dumps({"version": 5, "state": {}}))
    for bad in (tmp_path / "old.pkl", tmp_path / "again.pkl.tmp"):
        bad.touch()
        with pytest.raises(ValueError):
            TitleNormalizer.load(bad)


def test_cli_contract(norm: TitleNormalizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from careeros.cli import titles as cli

    monkeypatch.setattr(cli, "load_normalizer", lambda: norm)
    f = tmp_path / "in.txt"
    f.write_text("Senior SWE\n\nRegistered Nurse\n", encoding="utf-8")
    from careeros.cli import app

    res = CliRunner().invoke(app, ["titles", "normalize", str(f), "--top", "2"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["input"] for r in rows] == ["Senior SWE", "", "Registered Nurse"]
    assert rows[1]["matches"] == []
    for r in (rows[0], rows[2]):
        assert set(r) == {"input", "matches"}
        assert 1 <= len(r["matches"]) <= 2
        assert all(set(m) == {"soc_code", "title", "score"} for m in r["matches"])
    assert rows[2]["matches"][0]["soc_code"] == "29-1141.00"
    _ = pl  # polars imported for fixtures' frames


def test_key_distribution_is_packed_and_equal_to_the_per_key_arrays() -> None:
    """The title index's prior (~34,000 keys) pickles as a few flat arrays and looks up the same arrays."""
    import pickle
    from collections import Counter

    import numpy as np

    from careeros.market.titles import _key_distribution

    pairs = [("1:engineer", 3), ("1:engineer", 3), ("1:engineer", 7), ("2:data engineer", 7), ("1:nurse", 1)]
    dist = pickle.loads(pickle.dumps(_key_distribution(pairs)))
    assert list(dist) == ["1:engineer", "2:data engineer", "1:nurse"] and len(dist) == 3
    for key in dist:
        c = Counter(o for k, o in pairs if k == key)
        ix, share = dist[key]
        assert ix.dtype == np.int64 and share.dtype == np.float32
        assert ix.tolist() == list(c) and np.array_equal(share, np.array([v / sum(c.values()) for v in c.values()],
                                                                          dtype=np.float32))
    assert dist.get("1:teacher") is None


def test_a_target_title_resolves_to_the_kind_of_role_it_names(norm: TitleNormalizer) -> None:
    """'Veterinary Practice Manager' is a manager: an unsure best match whose titles never end in 'manager'
    (Veterinarians) gives way to one that does; a sure match ('Registered Nurse') keeps the ranker's order."""
    from careeros.market.titles import TARGET_SURE

    plain = norm.normalize(["Veterinary Practice Manager"], k=5, ties=True)[0]
    target = norm.resolve_target("Veterinary Practice Manager")
    ends = {norm.codes[o] for t, o in zip(norm.alias_text, norm.alias_soc.tolist(), strict=True)
            if t.endswith(" manager")}
    assert target and target[0].soc_code in ends
    assert {m.soc_code for m in target} <= {m.soc_code for m in plain}
    if plain[0].soc_code not in ends:
        assert plain[0].score < TARGET_SURE and target[0].soc_code != plain[0].soc_code
    nurse = norm.resolve_target("Registered Nurse")
    assert nurse[0].soc_code == norm.normalize(["Registered Nurse"], k=1)[0][0].soc_code == "29-1141.00"


def test_a_role_then_qualifier_title_keeps_an_occupation_its_role_allows(norm_emp: TitleNormalizer) -> None:
    """"Senior Product Manager, Payments" is a product manager working on payments, not a billing clerk: the title's
    occupation is one of its role part's close candidates (or a specialty of one); a lone role word before the comma
    ("Engineer, Civil") is read whole."""
    from careeros.market.titles import TARGET_HEAD_RATIO

    for title in ("Senior Product Manager, Payments", "Product Manager, Construction Software",
                  "Registered Nurse, ICU", "Tax Staff Accountant, Public Accounting"):
        ms = norm_emp.resolve_target(title.split(",")[0], k=5)
        close = {m.soc_code[:7] for m in ms if m.score >= TARGET_HEAD_RATIO * ms[0].score}
        assert norm_emp.resolve_target(title)[0].soc_code[:7] in close, title
    assert norm_emp.resolve_target("Senior Product Manager, Payments")[0].soc_code[:2] == "11"
    assert norm_emp.resolve_target("Registered Nurse, ICU")[0].soc_code.startswith("29-1141")
    whole = norm_emp.normalize(["Engineer, Civil"], k=5, ties=True)[0]
    assert norm_emp.resolve_target("Engineer, Civil")[0].soc_code in {m.soc_code for m in whole}


def test_a_role_to_whom_title_is_the_role_not_whom_it_serves(norm_emp: TitleNormalizer) -> None:
    """"Executive Assistant to the CEO" is an executive assistant (read as a chief executive before): the part
    before " to " decides when it ends in a role word; "Return to Work Coordinator" (no role word before " to ") is
    read whole."""
    for title, role in (("Executive Assistant to the CEO", "Executive Assistant"),
                        ("Administrative Assistant to the Dean", "Administrative Assistant")):
        got = norm_emp.resolve_target(title)[0].soc_code
        assert got == norm_emp.resolve_target(role)[0].soc_code, title
        assert not got.startswith("11-"), title
    whole = norm_emp._resolve_one("Return to Work Coordinator", 3)
    assert norm_emp.resolve_target("Return to Work Coordinator")[0].soc_code == whole[0].soc_code


def test_a_modifier_word_does_not_hand_a_profession_to_an_occupation_that_is_no_such_profession(
        norm_emp: TitleNormalizer) -> None:
    """"RPA Developer": software developers (the ranker's 0.9) never say "RPA" in O*NET, camera operators' tools do;
    the word check put them first at 0.01. A trade or profession word ("developer", "nurse") keeps the occupation that
    is one and that the ranker scored higher; a generic role word ("Supervisor") does not, so a "Sterile Processing
    Supervisor" stays with what sterile processing is."""
    for title in ("RPA Developer", "Aesthetic Nurse"):
        plain = norm_emp.normalize([title], k=1, ties=True)[0][0]
        got = norm_emp.resolve_target(title)[0]
        assert got.soc_code == plain.soc_code, (title, got)
        assert title.split()[-1].lower() in got.title.lower()
    spd = norm_emp.resolve_target("Sterile Processing Supervisor")[0]
    assert "supervisor" not in spd.title.lower()


def test_a_target_title_shared_by_several_occupations_is_not_decided_by_code_order(norm: TitleNormalizer) -> None:
    """'Data Analyst' is an O*NET alternate title of several occupations: every one of them is a candidate tied on
    the word score, and for a person's own title the tie is shared (the lowest SOC code does not take the rank
    alone, as it does for posting titles, on which the ranker was fitted)."""
    from careeros.market.titles import FEATURES

    q = norm._roles("Data Analyst")[0]
    exact = set(norm.exact[q])
    assert len(exact) > 2
    i_rank, i_exact = FEATURES.index("inv_rank"), FEATURES.index("exact")
    for ties in (False, True):
        _, OC, F = norm._features([q], ties)
        tied = F[F[:, i_exact] == 1.0]
        assert {int(o) for o in OC[F[:, i_exact] == 1.0]} == exact
        ranks = sorted(tied[:, i_rank].tolist(), reverse=True)
        if ties:
            assert ranks == [1.0] * len(exact)
        else:
            assert ranks[0] == 1.0 and len(set(ranks)) == len(exact)
    target = norm.resolve_target("Data Analyst", k=3)
    assert norm.codes.index(target[0].soc_code) in exact


def test_a_target_title_goes_to_a_military_occupation_only_when_it_names_one(norm_emp: TitleNormalizer) -> None:
    """Military occupations have no civilian employment figure: a civilian title that only shares words with them
    ('Legal Operations Specialist') resolves to a civilian occupation, while a military title that is an
    occupation's own alternate title ('Infantry Officer') keeps it."""
    civil = norm_emp.resolve_target("Legal Operations Specialist", k=5)
    first = norm_emp.codes.index(civil[0].soc_code)
    assert norm_emp.log_emp[first] > 0
    # (the plain ranker may put military "operations specialists" near the top; resolving a target never does)
    assert all(norm_emp.log_emp[norm_emp.codes.index(m.soc_code)] > 0 for m in civil[:1])
    own = norm_emp.resolve_target("Infantry Officer", k=3)[0]
    assert own.soc_code.startswith("55-") and norm_emp.codes.index(own.soc_code) in norm_emp.exact[norm_emp._roles(
        "Infantry Officer")[0]]


def test_a_target_title_prefers_an_occupation_whose_own_title_names_its_role(norm_emp: TitleNormalizer) -> None:
    """O*NET lists "Policy Analyst" among the alternate titles of insurance policy clerks and "Program Manager" among
    those of media programming directors; a person targeting either means an analyst or a manager, so among close
    candidates the one whose own O*NET title ends in the role word comes first."""
    from careeros.market.titles import _occ_heads

    for title, head in (("Policy Analyst", "analyst"), ("Program Manager", "manager")):
        got = norm_emp.resolve_target(title, k=3)[0]
        assert head in _occ_heads(got.title), (title, got)


def test_a_target_title_goes_to_an_occupation_that_uses_its_words(norm_emp: TitleNormalizer) -> None:
    """A target whose distinctive word an occupation never uses (in its titles, description or tasks) does not
    resolve to it, however well the rest of the title matches: 'Electric Vehicle Technician' is no Recreational
    Vehicle technician (O*NET never says 'electric' there), a 'Legal Operations Specialist' no airfield operations
    specialist. Where every candidate uses the words ('Registered Nurse') the ranker's order stands."""
    from careeros.market.titles import _content_words

    def uses_all(title: str, soc: str) -> bool:
        return _content_words(title) <= norm_emp.occ_words[norm_emp.codes.index(soc)]

    for title in ("Electric Vehicle Technician", "Legal Operations Specialist"):
        plain = norm_emp.normalize([title], k=5, ties=True)[0]
        got = norm_emp.resolve_target(title, k=5)
        assert not uses_all(title, plain[0].soc_code)  # the ranker's first choice lacks a word of the title
        assert got[0].soc_code != plain[0].soc_code
        lacking = _content_words(title) - norm_emp.occ_words[norm_emp.codes.index(plain[0].soc_code)]
        assert lacking & norm_emp.occ_words[norm_emp.codes.index(got[0].soc_code)]  # the new first uses it
    assert {m.soc_code for m in got} == {m.soc_code for m in plain}  # reordered, never a new candidate
    ev = norm_emp.resolve_target("Electric Vehicle Technician")[0]
    assert ev.soc_code.startswith("49-3023")
    nurse = norm_emp.resolve_target("Registered Nurse")[0]
    assert nurse.soc_code == norm_emp.normalize(["Registered Nurse"], k=1)[0][0].soc_code
    # the head-word rule ("... Officer" is a kind of officer) does not hand a first match that uses every word of the
    # title to one that misses one: a Contracting Officer is no police officer, whose O*NET text never says "contract"
    co = norm_emp.resolve_target("Contracting Officer")[0]
    assert _content_words("Contracting Officer") <= norm_emp.occ_words[norm_emp.codes.index(co.soc_code)]
    hr = norm_emp.resolve_target("Human Resources Manager")[0]  # ... while a manager title still finds managers
    assert hr.soc_code.startswith("11-")


def test_a_target_named_after_a_tool_goes_to_an_occupation_that_lists_the_tool(norm_emp: TitleNormalizer) -> None:
    """'Linux Engineer', 'Unix Administrator': no O*NET title, description or task says 'linux' or 'unix', so the
    title read as any engineer / administrator (civil engineers, administrative services managers). The tools an
    occupation lists in O*NET's technology skills lend it those words: the target goes to an occupation that lists
    the tool."""
    from careeros.market.titles import _content_words

    for title in ("Linux Engineer", "Unix Administrator", "Kubernetes Engineer"):
        tool = next(w for w in _content_words(title) if w not in {"engineer", "administrator"})
        users = {c for c, ws in zip(norm_emp.codes, norm_emp.occ_words, strict=True) if tool in ws}
        assert users and len(users) < len(norm_emp.codes) / 4  # lent to the occupations listing the tool only
        got = norm_emp.resolve_target(title, k=3)[0]
        assert got.soc_code in users and got.soc_code.startswith("15-"), (title, got)
    assert norm_emp.resolve_target("Registered Nurse", k=1)[0].soc_code == "29-1141.00"


def test_a_tool_word_that_is_also_an_english_word_still_names_the_tool(norm_emp: TitleNormalizer) -> None:
    """'SAP Developer': forest and conservation workers' tasks say "sap" (maple sap), so the word was no technology
    word and Software Developers, who list SAP ERP, counted as missing it: the target went to forest workers at a
    score of 0.05 against 0.92. A tool word few occupations' own text uses counts for the occupations listing it."""
    got = norm_emp.resolve_target("SAP Developer", k=1)[0]
    assert got.soc_code == "15-1252.00", got
    sd = norm_emp.codes.index("15-1252.00")
    assert "sap" in norm_emp.occ_lent[sd]  # lent: the title "Sap Gatherer" uses the word in another sense
    # a title naming the tool where it is listed keeps the word to itself ("Salesforce Developer": Web Developers)
    assert "salesforce" not in norm_emp.occ_words[sd]
    picks = resolve_targets(norm_emp, ["Salesforce Developer", "Salesforce Platform Developer", "Salesforce Engineer"])
    assert {ms[0].soc_code for ms in picks} == {"15-1254.00"}
    assert norm_emp.resolve_target("Oracle Developer", k=1)[0].soc_code == "15-1252.00"


def test_a_common_title_o_net_files_under_a_rare_occupation_takes_its_common_sense(norm_emp: TitleNormalizer) -> None:
    """O*NET lists "Account Executive" only under Advertising and Promotions Managers and "Customer Success Manager"
    only under office supervisors; people so titled sell and keep customer accounts. data/title_senses.yaml names the
    occupation for a title that says nothing else (seniority and posting noise aside), for a typed target and a posting
    title alike; a title that says more ("Lead Teacher - Early Childhood Education") is read as before."""
    from careeros.market.titles import title_senses

    senses = title_senses()
    assert senses["account executive"] == "41-4012.00" and len(senses) >= 10
    assert set(senses.values()) <= set(norm_emp.codes)  # every sense names an O*NET occupation
    for title in ("Account Executive", "Senior Account Executive", "Account Executive - Remote"):
        assert norm_emp.resolve_target(title, k=1)[0].soc_code == "41-4012.00", title
        assert norm_emp.normalize([title], k=1)[0][0].soc_code == "41-4012.00", title
    assert norm_emp.resolve_target("Customer Success Manager", k=1)[0].soc_code == "41-3091.00"
    teacher = norm_emp.resolve_target("Teacher", k=3)
    assert teacher[0].soc_code == "25-2021.00" and teacher[0].score >= max(m.score for m in teacher)
    assert norm_emp.normalize(["Lead Teacher - Early Childhood Education"], k=1)[0][0].soc_code == "25-2011.00"
    # a title that is only a seniority word elsewhere is a role of its own here
    assert norm_emp.resolve_target("Principal", k=1)[0].soc_code == "11-9032.00"
    # e-discovery is litigation support work, whether written "E-Discovery" or "eDiscovery"
    for title in ("E-Discovery Specialist", "eDiscovery Specialist", "Litigation Support Specialist"):
        assert norm_emp.resolve_target(title, k=1)[0].soc_code == "23-2011.00", title
    assert norm_emp.resolve_target("Software Engineering Manager", k=1)[0].soc_code == "11-3021.00"
    assert norm_emp.resolve_target("Outside Plant Technician", k=1)[0].soc_code == "49-2022.00"  # not a power plant
    assert norm_emp.resolve_target("First Responder", k=1)[0].soc_code == "29-2042.00"


def test_e_words_written_closed_read_as_o_net_writes_them(norm_emp: TitleNormalizer) -> None:
    """O*NET writes "E-Commerce Manager" (Online Merchants); people type "Ecommerce Manager" and "eCommerce Manager"
    too, which read as advertising managers before."""
    assert clean_title("Ecommerce Manager") == clean_title("E-Commerce Manager") == "e commerce manager"
    assert clean_title("eLearning Developer") == clean_title("E-Learning Developer")
    for title in ("Ecommerce Manager", "eCommerce Manager", "E-Commerce Manager"):
        assert norm_emp.resolve_target(title, k=1)[0].soc_code == "13-1199.06", title


def test_a_plural_that_names_another_thing_stays_plural(norm_emp: TitleNormalizer) -> None:
    """A securities analyst studies stocks and bonds; a security analyst defends networks."""
    assert clean_title("Securities Analyst") != clean_title("Security Analyst")
    assert clean_title("Security Analysts") == clean_title("Security Analyst")
    assert norm_emp.resolve_target("Securities Analyst", k=1)[0].soc_code == "13-2051.00"
    assert norm_emp.resolve_target("Security Analyst", k=1)[0].soc_code == "15-1212.00"


def test_a_title_many_occupations_share_means_a_common_one(norm_emp: TitleNormalizer) -> None:
    """O*NET gives "Machine Operator" to 43 occupations and "Service Technician" to 22: a person who types either
    means one many people do, not shoe machine operators or medical equipment repairers."""
    emp = {c: norm_emp.log_emp[i] for i, c in enumerate(norm_emp.codes)}
    for title, rare in (("Machine Operator", "51-6042.00"), ("Service Technician", "49-9062.00")):
        got = norm_emp.resolve_target(title, k=3)
        assert got[0].soc_code != rare, (title, got)
        assert emp[got[0].soc_code] > emp[rare], (title, got)
    assert norm_emp.resolve_target("Service Technician", k=1)[0].soc_code.startswith("49-")
    # a sure match keeps its place against a far weaker one whose edge is a word of its tools ("Agile PLM") ...
    assert norm_emp.resolve_target("Agile Project Manager", k=1)[0].soc_code == "13-1082.00"
    # ... not against one whose own tasks say the word ("fleet")
    assert norm_emp.resolve_target("Fleet Operations Manager", k=1)[0].soc_code == "11-3071.00"


def test_a_state_code_closing_a_title_is_a_place(norm_emp: TitleNormalizer) -> None:
    """"Senior Premier Banker - Media Branch, PA": the closing "PA" is Pennsylvania, not a physician assistant."""
    assert split_roles("Senior Premier Banker - Media Branch, PA") == ["Senior Premier Banker Media Branch"]
    got = norm_emp.normalize(["Senior Premier Banker - Media Branch, PA"], k=1)[0][0]
    assert got.soc_code != "29-1071.00", got
    assert split_roles("Surgical Technologist, OR") != ["Surgical Technologist"]  # the operating room stays


def test_a_sure_target_match_is_not_overturned_by_one_rare_word(norm_emp: TitleNormalizer) -> None:
    """The word-use order is a soft factor: a far surer match that lacks one rare word of the title is not put below
    a weak candidate whose text happens to use it ("Revenue Management Analyst" is a management analyst, not a tax
    examiner because revenue agents say "revenue"; a "Staff Backend Engineer" stays a software developer)."""
    assert norm_emp.resolve_target("Revenue Management Analyst", k=1)[0].soc_code == "13-1111.00"
    assert norm_emp.resolve_target("Staff Backend Engineer", k=1)[0].soc_code == "15-1252.00"


def test_a_generic_target_title_means_the_broad_and_common_occupation(norm_emp: TitleNormalizer) -> None:
    """O*NET gives "Business Development Manager" to Sales Managers, Marketing Managers and the specialty Wind Energy
    Development Managers, and "Mechanic" to eleven occupations: a person who types the bare title means a broad
    occupation (not a specialty whose own title names a field the title does not say) and, among near-tied ones O*NET
    gives the title to, the far more common one. A title that names the specialty keeps it."""
    from careeros.market.titles import TARGET_NEAR_TIE_EMP, _occ_heads

    bdm = norm_emp.resolve_target("Business Development Manager", k=3)
    exact = {norm_emp.codes[i] for i in norm_emp.exact[norm_emp._roles("Business Development Manager")[0]]}
    assert bdm[0].soc_code.endswith(".00") and bdm[0].soc_code in exact and "manager" in _occ_heads(bdm[0].title)
    assert any(not c.endswith(".00") for c in exact)  # the specialty is a candidate O*NET gives the title to
    assert norm_emp.resolve_target("Wind Energy Development Manager", k=1)[0].soc_code.startswith("11-9199.")
    assert not norm_emp.resolve_target("Wind Energy Development Manager", k=1)[0].soc_code.endswith(".00")

    idx = {c: i for i, c in enumerate(norm_emp.codes)}
    plain = norm_emp.normalize(["Mechanic"], k=5, ties=True)[0]
    mech = norm_emp.resolve_target("Mechanic", k=5)[0]
    assert mech.soc_code != plain[0].soc_code  # the plain ranker's first is the rarer of a near tie
    assert norm_emp.log_emp[idx[mech.soc_code]] - norm_emp.log_emp[idx[plain[0].soc_code]] >= TARGET_NEAR_TIE_EMP
    farm = norm_emp.resolve_target("Farm Equipment Mechanic", k=1)[0]
    assert farm.soc_code == plain[0].soc_code  # ... and a title that names it keeps it


def test_two_words_written_as_one_read_as_the_two(norm: TitleNormalizer) -> None:
    """"Stockbroker" is unknown to O*NET, which writes "Stock Broker": it resolves as the two words do, while a word
    O*NET knows ("Groundskeeper") and a typo ("Acountant") are read as before."""
    for one, two in (("Stockbroker", "Stock Broker"), ("Stockbrokers", "Stock Brokers")):
        assert norm.normalize([one], k=1)[0][0].soc_code == norm.normalize([two], k=1)[0][0].soc_code
    assert norm._fix_typos(["groundskeeper"]) == ["groundskeeper"]
    assert norm._fix_typos(["stockbroker"]) == ["stock", "broker"]
    assert norm._fix_typos(["acountant"]) == ["accountant"]


def test_a_credential_written_as_a_title_reads_as_its_role(norm: TitleNormalizer) -> None:
    """People write their credential as their title ("BCBA", "LCSW"): it is cleaned to the role it names, so it
    resolves like the spelled-out title does, not to whatever occupation shares its letters."""
    from careeros.market.titles import clean_title

    for short, long in (("BCBA", "Behavior Analyst"), ("LCSW", "Licensed Clinical Social Worker"),
                        ("CPhT", "Pharmacy Technician"), ("RRT", "Respiratory Therapist")):
        assert clean_title(short) == clean_title(long)
        assert norm.resolve_target(short, k=1)[0].soc_code == norm.resolve_target(long, k=1)[0].soc_code


def test_a_product_owner_is_read_as_a_product_manager(norm: TitleNormalizer) -> None:
    """O*NET lists no product owner, and its bare alternate title "Owner" (of Urologists) must not decide the
    Scrum role: "Product Owner" resolves where "Product Manager" does."""
    got = norm.resolve_target("Senior Product Owner", k=1)[0]
    assert got.soc_code == norm.resolve_target("Product Manager", k=1)[0].soc_code
    assert not got.soc_code.startswith("29-")


def test_one_persons_targets_are_read_together() -> None:
    """An unsure target whose candidates include the occupation another target of the same person names surely takes
    it; a sure target, or one with no such candidate, keeps its best match."""
    from careeros.market.titles import TitleMatch, resolve_targets_together

    perf = [TitleMatch("15-1252.00", "Software Developers", 0.8)]
    perf_test = [TitleMatch("17-2011.00", "Aerospace Engineers", 0.64), TitleMatch("15-1252.00", "Software Developers",
                                                                                   0.42)]
    other = [TitleMatch("17-2141.00", "Mechanical Engineers", 0.5), TitleMatch("17-2011.00", "Aerospace Engineers", 0.4)]
    assert resolve_targets_together([perf, perf_test, other]) == [0, 1, 0]
    # a candidate far below the best (under TARGET_HEAD_RATIO of it) does not count
    weak = [TitleMatch("17-2011.00", "Aerospace Engineers", 0.64), TitleMatch("15-1252.00", "Software Developers", 0.1)]
    assert resolve_targets_together([perf, weak]) == [0, 0]


def test_a_target_apart_from_the_others_takes_their_occupation() -> None:
    """A target whose occupation stands apart from the person's other targets takes theirs: a candidate another
    target took, or across the office/trades line the surest other's occupation; a guess takes a sure target's
    occupation of the same major group. Two targets alone, or a sure one, keep their own."""
    from careeros.market.titles import TitleMatch, targets_apart

    def m(soc: str, score: float) -> TitleMatch:
        return TitleMatch(soc, soc, score)

    lis = [m("13-2051.00", 0.78), m("13-1111.00", 0.37), m("15-1211.00", 0.19)]
    lab = [m("15-1211.00", 0.93)]
    informatics = [m("15-1211.01", 0.61)]
    assert [ms[0].soc_code for ms in targets_apart([lis, lab, informatics])] == ["15-1211.00", "15-1211.00",
                                                                                  "15-1211.01"]
    # the candidate taken comes first, the rest keep their order
    assert [x.soc_code for x in targets_apart([lis, lab, informatics])[0]] == ["15-1211.00", "13-2051.00",
                                                                                "13-1111.00"]
    delivery = [m("53-3033.00", 0.77), m("15-1252.00", 0.22)]
    scrum, agile_pm = [m("15-1299.09", 0.53)], [m("13-1082.00", 0.91)]
    assert targets_apart([scrum, agile_pm, delivery])[2][0].soc_code == "13-1082.00"
    # the same across the line with one other target: two targets may be two fields
    assert targets_apart([agile_pm, delivery])[1][0].soc_code == "53-3033.00"
    # a sure target keeps its own occupation
    sure_delivery = [m("53-3033.00", 0.95)]
    assert targets_apart([scrum, agile_pm, sure_delivery])[2][0].soc_code == "53-3033.00"
    # the others in two groups on the same side: no candidate rule, no line crossed -> kept
    analyst = [m("13-1111.00", 0.8), m("15-2051.00", 0.3)]
    assert targets_apart([analyst, [m("15-2051.00", 0.9)], [m("11-3021.00", 0.85)]])[0][0].soc_code == "13-1111.00"
    # a guess takes the sure target of its own major group ...
    ux_writer, content = [m("27-3042.00", 0.89)], [m("27-1027.00", 0.27), m("27-1024.00", 0.42)]
    assert targets_apart([ux_writer, content, content])[1][0].soc_code == "27-3042.00"
    # ... but not one of another group
    assert targets_apart([[m("15-2031.00", 0.89)], [m("43-6012.00", 0.05)]])[1][0].soc_code == "43-6012.00"
    # ... unless at least two others agree on one major group: "Transaction Advisory Senior" (title examiners at
    # 0.13) beside two financial due diligence titles is a financial analyst
    fdd, tas = [m("13-2051.00", 0.79)], [m("23-2093.00", 0.13), m("15-1252.00", 0.59)]
    assert targets_apart([tas, fdd, fdd])[0][0].soc_code == "13-2051.00"
    assert targets_apart([[m("23-2093.00", 0.6)], fdd, fdd])[0][0].soc_code == "23-2093.00"  # no guess: kept
    # ... or when its occupation never says a distinctive word of its title (unsure): "Solo Practitioner" beside two
    # lawyer titles is no nurse practitioner
    solo, lawyer = [m("29-1171.00", 0.62)], [m("23-1011.00", 0.9)]
    assert targets_apart([solo, lawyer, lawyer])[0][0].soc_code == "29-1171.00"
    assert targets_apart([solo, lawyer, lawyer], frozenset({0}))[0][0].soc_code == "23-1011.00"
    # two other targets that name one occupation are as good as a sure one: "Development Services Technician"
    # (medical equipment repairers) beside "Permit Technician" and "Permit Specialist" (license clerks, 0.59 each)
    dev, permit = [m("49-9062.00", 0.63), m("49-3053.00", 0.61)], [m("43-4031.00", 0.59)]
    assert targets_apart([permit, permit, dev])[2][0].soc_code == "43-4031.00"
    assert [x.soc_code for x in targets_apart([permit, permit, dev])[2]] == ["43-4031.00", "49-9062.00", "49-3053.00"]
    # ... not when they name two occupations, nor a sure target of its own, nor with one other target
    assert targets_apart([permit, [m("43-4061.00", 0.5)], dev])[2][0].soc_code == "49-9062.00"
    assert targets_apart([permit, permit, [m("49-9062.00", 0.95)]])[2][0].soc_code == "49-9062.00"
    assert targets_apart([permit, dev])[1][0].soc_code == "49-9062.00"


def test_a_typed_target_beside_two_of_another_field_is_read_in_their_field(norm_emp: TitleNormalizer) -> None:
    """Nurse practitioners' O*NET text never says "solo": beside "Managing Attorney" and "Owner, Family Law Practice",
    "Solo Practitioner" is a lawyer; alone it stays what the ranker reads."""
    from careeros.market.titles import resolve_targets

    alone = resolve_targets(norm_emp, ["Solo Practitioner"])[0][0].soc_code
    together = resolve_targets(norm_emp, ["Solo Practitioner", "Owner, Family Law Practice", "Managing Attorney"])
    assert norm_emp.misses_a_word("Solo Practitioner", alone)
    assert [ms[0].soc_code for ms in together] == ["23-1011.00"] * 3


def test_targets_are_read_together_until_nothing_changes() -> None:
    """A target that took another's occupation speaks for it in turn: "Transaction Services Senior Associate"
    (customer service representatives alone) joins the financial analysts beside "Financial Due Diligence Senior", and
    then "Transaction Advisory Senior" (a guess) stands apart from two finance targets and joins them too."""
    from careeros.market import titles as T
    from careeros.market.title_votes import KeywordIndex

    class Norm:
        found = {"Transaction Advisory Senior": [T.TitleMatch("23-2093.00", "Title Examiners", 0.13),
                                                 T.TitleMatch("15-1252.00", "Software Developers", 0.59)],
                 "Financial Due Diligence Senior": [T.TitleMatch("13-2051.00", "Financial Analysts", 0.79)],
                 "Transaction Services Senior Associate": [T.TitleMatch("43-4051.00", "Customer Service", 0.7)]}

        def resolve_target(self, title: str, k: int = 3) -> list[T.TitleMatch]:
            return self.found[title][:k]

        def keyword_index(self) -> KeywordIndex:  # no occupation titles: the skill map gives no second opinion
            return KeywordIndex([], [], [])

        def misses_a_word(self, title: str, soc_code: str) -> bool:  # every occupation says every word
            return False

    got = T.resolve_targets(Norm(), list(Norm.found))  # type: ignore[arg-type]
    assert [ms[0].soc_code for ms in got] == ["13-2051.00"] * 3


def test_a_target_that_is_another_targets_role_at_another_level_takes_its_occupation() -> None:
    """"Assistant Superintendent" beside "Construction Superintendent" is a construction role, "Mid-Market Account
    Executive" beside "Account Executive" the same sales role, "Math Teacher" beside "High School Math Teacher" a high
    school teacher; only when the other is sure, at least as sure, and among this one's candidates."""
    from careeros.market.titles import TitleMatch, level_variant, same_role_as_sibling

    def m(soc: str, score: float) -> TitleMatch:
        return TitleMatch(soc, soc, score)

    assert level_variant("Assistant Superintendent", "Construction Superintendent")
    assert level_variant("Mid-Market Account Executive", "Account Executive")
    assert level_variant("Math Teacher", "High School Math Teacher")
    assert not level_variant("Construction Superintendent", "Assistant Superintendent")  # "construction" says more
    assert not level_variant("Nurse", "Nurse Educator")  # another role word
    assert not level_variant("Senior Manager", "Manager of Assistants")
    assert not level_variant("iOS Developer", "Mobile App Developer")  # both clean to "mobile developer"
    from careeros.market.titles import only_level_apart

    assert only_level_apart("Assistant Superintendent", "Construction Superintendent")
    assert only_level_apart("Mid-Market Account Executive", "Account Executive")
    # the broader wording of the same role says no level: it keeps its own requirements in a merged profile
    assert level_variant("School Principal", "Middle School Principal")
    assert not only_level_apart("School Principal", "Middle School Principal")
    titles = ["Construction Superintendent", "Assistant Superintendent"]
    cm, school = m("11-9021.00", 0.91), m("11-9032.00", 0.65)
    out = same_role_as_sibling(titles, [[cm], [school, m("11-1021.00", 0.09), m("11-9021.00", 0.08)]])
    assert [x.soc_code for x in out[1]] == ["11-9021.00", "11-9032.00", "11-1021.00"] and out[0] == [cm]
    # not among the candidates, or the other unsure or less sure: kept
    assert same_role_as_sibling(titles, [[cm], [school]])[1][0] is school
    assert same_role_as_sibling(titles, [[m("11-9021.00", 0.6)], [school, cm]])[1][0] is school
    assert same_role_as_sibling(titles, [[cm], [m("11-9032.00", 0.95), cm]])[1][0].soc_code == "11-9032.00"
    # ... unless this one is a guess: then the sure sibling names the role ("Math Coach" beside "Math Instructional
    # Coach"), and a sure reading of its own stays
    coach = ["Math Instructional Coach", "Math Coach"]
    ic = m("25-9031.00", 0.88)
    assert same_role_as_sibling(coach, [[ic], [m("25-3011.00", 0.5), m("27-2022.00", 0.86)]])[1][0] is ic
    assert same_role_as_sibling(coach, [[ic], [m("27-2022.00", 0.86)]])[1][0].soc_code == "27-2022.00"


def test_targets_together_over_the_real_normaliser(norm_emp: TitleNormalizer) -> None:
    from careeros.market.titles import resolve_targets

    titles = ["Performance Engineer", "Performance Test Engineer"]
    alone = [norm_emp.resolve_target(t, k=3) for t in titles]
    first, second = (ms[0].soc_code for ms in resolve_targets(norm_emp, titles))
    # read together, both name the occupation the surer of the two names, a computer occupation
    surer = max(alone, key=lambda ms: ms[0].score)[0].soc_code
    assert first == second == surer and surer.startswith("15-")


def test_equity_is_posting_noise_only_at_the_end_of_a_title() -> None:
    assert clean_title("Founding Engineer ($180k + equity)") == "engineer"
    assert clean_title("Data Engineer equity") == "data engineer"
    assert clean_title("Equity Research Associate") == "equity research associate"
    assert clean_title("Private Equity Analyst") == "private equity analyst"


def test_an_equity_research_associate_is_a_financial_analyst(norm_emp: TitleNormalizer) -> None:
    assert norm_emp.resolve_target("Equity Research Associate")[0].soc_code == "13-2051.00"


def test_the_skill_map_gives_a_second_opinion_on_a_title_the_ranker_reads_as_another_trade() -> None:
    """A target title tying several skill-map concepts whose role keywords never name the ranker's pick takes the
    occupation most of them name, if one stands out; a keyword the title itself says casts no vote."""
    from careeros.market.title_votes import KeywordIndex, vote_override
    from careeros.planner.target_votes import skill_map_votes

    titles = ["marketing manager", "digital marketing manager", "hydroelectric plant manager", "demand generation",
              "recruiter", "technical recruiter"]
    codes = ["11-2021.00", "11-3051.06", "13-1071.00"]
    index = KeywordIndex(titles, [0, 0, 1, 1, 2, 2], codes)
    keywords = {"concept:demand-generation": ("Demand generation", ["demand generation", "marketing manager"]),
                "concept:marketing-automation": ("Marketing automation", ["demand generation", "digital marketing"]),
                "concept:abm": ("Account-based marketing", ["demand generation manager", "marketing manager"]),
                "concept:recruiting": ("Recruiting", ["recruiter"])}
    n, votes = skill_map_votes("Demand Generation Manager", keywords, index, str.lower)
    assert n == 3 and votes == {"11-2021.00": 3}  # "demand generation" (the hydro plant's title) restates the title
    assert vote_override("11-3051.06", n, votes, ["11-3051.06"]) == "11-2021.00"
    assert vote_override("11-2021.00", n, votes) is None  # the pick is named: no override
    assert vote_override("15-2031.00", 7, {"15-2031.00": 1, "15-1255.00": 7}) == "15-1255.00"  # named by one of 7
    assert vote_override("15-2031.00", 7, {"15-2031.00": 2, "15-1255.00": 7}) is None  # by two of 7: it stands
    assert vote_override("11-3051.06", 2, {"11-2021.00": 2}) is None  # too few concepts
    assert vote_override("11-3051.06", 4, {"11-2021.00": 2, "13-1071.00": 2}) is None  # no clear winner
    # ... unless nearly all of them name both and the ranker has one among its candidates
    assert vote_override("15-2031.00", 4, {"19-4061.00": 4, "15-1255.00": 4}, ["15-2031.00", "15-1255.00"]) == \
        "15-1255.00"
    assert vote_override("11-3051.06", 5, {"11-2021.00": 2}) is None  # named by under half of them


def test_a_title_sense_is_not_overridden_by_the_skill_maps_vote() -> None:
    """"Nurse Surveyor" (a title sense: compliance officers) was read as medical and health services managers because
    most concepts it ties name a nurse manager's titles: a curated sense is the reading; the vote speaks otherwise."""
    from careeros.market.titles import TitleMatch, sense_of
    from careeros.planner.target_votes import skill_map_second_opinion

    assert sense_of("Nurse Surveyor", clean_title("Nurse Surveyor")) == "13-1041.00"
    ms = [TitleMatch("13-1041.00", "Compliance Officers", 0.93), TitleMatch("11-9111.00", "Managers", 0.5)]
    assert skill_map_second_opinion(None, "Nurse Surveyor", ms) is ms  # type: ignore[arg-type]  # never consulted


def test_a_keyword_that_cleaning_strips_of_its_number_casts_no_vote() -> None:
    """"office 365 administrator" cleans to "office administrator", an office clerk's title: three such keywords made
    Microsoft 365 administrators office clerks in the skill map's vote (and with them administrative services
    managers); a keyword that keeps its words votes as before."""
    from careeros.market.title_votes import KeywordIndex
    from careeros.market.titles import clean_title
    from careeros.planner.target_votes import skill_map_votes

    assert clean_title("office 365 administrator") == "office administrator"
    index = KeywordIndex(["office administrator", "exchange administrator"], [0, 1], ["43-9061.00", "15-1244.00"])
    keywords = {f"concept:{i}": (f"C{i}", ["m365 administrator", "office 365 administrator", "exchange administrator"])
                for i in range(3)}
    n, votes = skill_map_votes("M365 Administrator", keywords, index, clean_title)
    assert n == 3 and votes == {"15-1244.00": 3}


def test_a_manager_of_a_field_is_its_management_occupation(norm_emp: TitleNormalizer) -> None:
    """"Radiology Manager" matched Radiologic Technologists (0.81) on "radiology", none of whose titles names a
    manager; "Surgical Services Manager" Surgical Assistants. The person means the manager of that field: Medical and
    Health Services Managers, not Managers, All Other, which the ranker scored higher. A manager's title whose pick
    titles managers ("Nurse Manager", "Project Manager") is left alone."""
    for title in ("Radiology Manager", "Surgical Services Manager", "Sterile Processing Manager"):
        assert norm_emp.resolve_target(title)[0].soc_code == "11-9111.00", title
    for title, soc in (("Nurse Manager", "11-9111.00"), ("Project Manager", "13-1082.00"),
                       ("Organizational Effectiveness Manager", "11-3131.00"),
                       ("Kitchen Manager", "35-1012.00")):
        assert norm_emp.resolve_target(title)[0].soc_code == soc, title


def test_a_supervisor_of_a_field_is_that_fields_first_line_supervisor(norm_emp: TitleNormalizer) -> None:
    """"Front Desk Supervisor" was First-Line Supervisors of Production and Operating Workers ("supervisor" alone is
    most often theirs); the front desk is office work, so its supervisors are the office's. A title whose pick says
    its words keeps it."""
    for title in ("Front Desk Supervisor", "Emergency Communications Supervisor"):
        assert norm_emp.resolve_target(title)[0].soc_code == "43-1011.00", title
    for title, soc in (("Production Supervisor", "51-1011.00"), ("Kitchen Supervisor", "35-1012.00"),
                       ("Warehouse Supervisor", "53-1042.00")):
        assert norm_emp.resolve_target(title)[0].soc_code == soc, title


def test_a_role_of_a_field_reads_as_the_field_s_role(norm_emp: TitleNormalizer) -> None:
    """"Director of Nursing" was Managers, All Other and "Adjunct Professor of Psychology" a recreation and fitness
    teacher: O*NET and postings mostly write the field first ("Nursing Director"). The field-first reading is taken
    when it is about as sure; "Head of Product" ("Product Head" reads as a head cook) and a title written so in O*NET
    ("Clerk of Court") stay as read."""
    for title, soc in (("Director of Nursing", "11-9111.00"), ("Adjunct Professor of Psychology", "25-1066.00"),
                       ("Director of Facilities", "11-3013.00"), ("Director of Engineering", "11-9041.00")):
        assert norm_emp.resolve_target(title)[0].soc_code == soc, title
    assert norm_emp.resolve_target("Head of Product")[0].soc_code[:2] == "11"
    assert norm_emp._role_of_field("Clerk of Court", 3) is None
    # read whole, "Director of Pharmacy" was Pharmacy Aides (0.90), whose titles name no director: the role word
    # outweighs a surer reading that ignores it; a first-line supervisor occupation manages the field already
    for title in ("Director of Pharmacy", "Assistant Director of Pharmacy", "Associate Director of Marketing"):
        assert norm_emp.resolve_target(title)[0].soc_code[:2] == "11", title
    assert norm_emp.resolve_target("Director of Housekeeping")[0].soc_code == "37-1011.00"
    # a curated sense of the whole title (data/title_senses.yaml) is not read field first
    assert norm_emp.resolve_target("Director of Residence Life")[0].soc_code == "11-9033.00"
    # a person's own title in a resume reads the same way (profile match reads them with ties=True)
    assert norm_emp.normalize(["Director of Nursing"], k=1, ties=True)[0][0].soc_code == "11-9111.00"


def test_a_plain_role_keeps_its_reading_beside_itself_at_another_level() -> None:
    """"Dean of Students" (a school's, O*NET) does not follow "Assistant Dean of Students" (a college's) beside it: the
    other says only a level word more, nothing about the field."""
    from careeros.market.titles import TitleMatch, same_role_as_sibling

    k12, college = TitleMatch("11-9032.00", "k12", 0.865), TitleMatch("11-9033.00", "college", 0.871)
    titles = ["Dean of Students", "Assistant Dean of Students"]
    out = same_role_as_sibling(titles, [[k12, TitleMatch("11-9033.00", "college", 0.07)], [college, k12]])
    assert out[0][0].soc_code == "11-9032.00" and out[1][0].soc_code == "11-9033.00"


def test_a_technician_or_machinist_of_a_vehicle_keeps_it_running_and_does_not_drive_it(norm_emp: TitleNormalizer) -> None:
    """"Bus Technician" was Bus Drivers and "Locomotive Technician" Locomotive Engineers (who drive the train): O*NET
    files the people who keep them running under "X Mechanic". A technician or machinist whose own reading is no
    occupation of that role word reads as the mechanic of the thing; one that is ("Pharmacy Technician", "CNC
    Machinist", "HVAC Technician") reads as written."""
    for title in ("Bus Technician", "Locomotive Technician", "Diesel Locomotive Technician"):
        assert norm_emp.resolve_target(title)[0].soc_code == "49-3031.00", title
    for title, code in (("Pharmacy Technician", "29-2052.00"), ("CNC Machinist", "51-4041.00"),
                        ("HVAC Technician", "49-9021.00")):
        assert norm_emp.resolve_target(title)[0].soc_code == code, title
