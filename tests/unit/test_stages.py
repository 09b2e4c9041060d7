from claims.products import LINES, ProductLine, required_documents
from claims.stages import STAGES, Stage


def test_every_stage_is_explained_with_a_next_step() -> None:
    assert set(STAGES) == set(Stage)
    for stage in STAGES.values():
        assert stage.label and stage.meaning and stage.next_step


def test_statutory_times_cite_the_insurance_law() -> None:
    assert "30日" in STAGES[Stage.REVIEWING].time_limit
    assert "第二十三条" in STAGES[Stage.REVIEWING].time_limit
    assert "10日" in STAGES[Stage.APPROVED].time_limit
    rejected = STAGES[Stage.REJECTED].time_limit
    assert "3日" in rejected and "第二十四条" in rejected


def test_document_checklists_depend_on_line_and_cause() -> None:
    motor = required_documents(ProductLine.MOTOR_COMMERCIAL, "追尾碰撞")
    assert "驾驶人驾驶证" in motor and "诊断证明" not in "".join(motor)
    injured = required_documents(ProductLine.MOTOR_COMMERCIAL, "追尾碰撞人员受伤")
    assert "伤者病历及医疗费用发票" in injured
    assert len(injured) == len(set(injured))
    assert all(required_documents(line) for line in LINES)
