"""Surface forms of veins, sides and limbs, each tagged with the split it may appear in.

Entry syntax: "TAG|text" where TAG is s (shared by both splits), d (dev only) or
t (test only); a trailing "~" on the tag makes the entry rare (misspellings).
A noun form ending in "*" is plural ("posterior tibial veins*").
"""
from __future__ import annotations

# Noun phrases naming one segment. Forms that LABELS.md itself lists are shared;
# other variants, abbreviations and misspellings belong to one split.
SEG_NOUN: dict[str, list[str]] = {
    "ivc": ["s|inferior vena cava", "s|IVC", "t|infrarenal IVC"],
    "common_iliac": ["s|common iliac vein", "s|CIV", "t|common iliac vein segment"],
    "external_iliac": ["s|external iliac vein", "s|EIV", "d|distal external iliac vein", "t|ext iliac vein"],
    "internal_iliac": ["s|internal iliac vein"],
    "common_femoral": [
        "s|common femoral vein", "s|CFV", "d|common femoral vein at the groin", "t|common fem vein",
        "t|CFV at the inguinal ligament",
    ],
    "deep_femoral": [
        "s|deep femoral vein", "s|profunda femoris vein", "s|PFV", "s|DFV", "d|profunda vein",
        "t|profunda femoral vein",
    ],
    "femoral": [
        "s|femoral vein", "s|superficial femoral vein", "s|SFV", "s|FV", "s|mid femoral vein",
        "s|proximal femoral vein", "s|distal femoral vein", "d|SFV (femoral vein)", "d|femoral v.",
        "t|femoral vein in the adductor canal", "t|superficial femoral vein (SFV)", "t|mid-thigh femoral vein",
    ],
    "popliteal": [
        "s|popliteal vein", "s|pop v.", "s|above-knee popliteal vein", "s|below-knee popliteal vein",
        "d~|poplitial vein", "d|popliteal v.", "t|POP vein", "t|popliteal vein behind the knee", "t~|popliteal vien",
    ],
    "tibioperoneal_trunk": [
        "s|tibioperoneal trunk", "s|TPT", "s|tibial-peroneal trunk", "d|tibioperoneal venous trunk", "t|TP trunk",
    ],
    "posterior_tibial": [
        "s|posterior tibial veins*", "s|posterior tibial vein", "s|PTV", "d|paired posterior tibial veins*",
        "t|PTVs*", "t|post tibial veins*", "t|posterior tibial vv.*",
    ],
    "peroneal": [
        "s|peroneal veins*", "s|peroneal vein", "s|fibular veins*", "d|peroneal vv.*", "d~|perroneal veins*",
        "t~|perineal veins*", "t|PERO veins*",
    ],
    "anterior_tibial": ["s|anterior tibial veins*", "s|ATV", "d|anterior tibial vein", "t|ant. tibial veins*"],
    "calf_unspecified": [
        "s|calf veins*", "s|infrapopliteal veins*", "s|below-knee deep veins*", "d|deep calf veins*",
        "t|deep veins of the calf*",
    ],
    "gastrocnemius": [
        "s|gastrocnemius vein", "s|medial gastrocnemius vein", "s|lateral gastrocnemius veins*", "s|gastroc veins*",
        "d~|gastrocnemious vein", "d|gastroc vein", "t|gastrocnemius muscle vein", "t~|gastrocnemeus vein",
    ],
    "soleal": [
        "s|soleal vein", "s|soleal veins*", "s|soleal sinus", "s|soleus vein", "s|soleal sinuses*",
        "s|soleal muscle veins*", "d|soleal venous plexus", "t|soleal venous sinus",
    ],
    "muscular_calf": [
        "s|muscular calf vein", "s|intramuscular calf veins*", "s|calf muscle vein", "s|sural veins*",
        "d|muscular veins of the calf*", "t|intramuscular calf vein",
    ],
    "great_saphenous": [
        "s|great saphenous vein", "s|GSV", "s|greater saphenous vein", "s|long saphenous vein",
        "d|greater saphenous v.", "t|great saphenous vein (GSV)", "t~|great saphenus vein", "t|LSV",
    ],
    "small_saphenous": [
        "s|small saphenous vein", "s|SSV", "s|lesser saphenous vein", "s|short saphenous vein",
        "d|lesser saphenous v.", "t~|small saphenus vein",
    ],
    "superficial_other": [
        "s|superficial vein", "s|superficial varicosity", "s|varicose tributary", "d|superficial branch vein",
        "t|superficial tributary vein", "t|calf varicosity",
    ],
}

# A thrombus placed by region with no named vein (LABELS.md section 5), "{limb}" / "{side}" filled in:
# proximal -> proximal_unspecified; whole -> proximal_unspecified and calf_unspecified.
REGION: dict[str, list[str]] = {
    "proximal": [
        "s|extensive proximal DVT of the {limb}", "s|{side} thigh DVT", "d|acute proximal deep vein thrombosis of the {limb}",
        "d|thrombus in the deep veins of the {side} thigh", "t|{side} above-knee DVT",
        "t|occlusive thrombus in the proximal deep veins of the {limb}",
    ],
    "whole": [
        "s|DVT in all the deep veins of the {limb}", "d|thrombus throughout the entire deep venous system of the {limb}",
        "t|occlusive thrombus in all of the deep veins of the {limb}",
    ],
}

# Adjective heads used in lists ("the common femoral, femoral and popliteal veins").
SEG_ADJ: dict[str, list[str]] = {
    "common_iliac": ["s|common iliac"],
    "external_iliac": ["s|external iliac"],
    "common_femoral": ["s|common femoral"],
    "deep_femoral": ["s|deep femoral", "s|profunda femoris", "d|profunda"],
    "femoral": ["s|femoral", "s|superficial femoral"],
    "popliteal": ["s|popliteal", "d~|poplitial"],
    "posterior_tibial": ["s|posterior tibial"],
    "peroneal": ["s|peroneal", "s|fibular", "t~|perineal"],
    "anterior_tibial": ["s|anterior tibial"],
    "calf_unspecified": ["s|calf", "s|infrapopliteal", "d|deep calf"],
    "gastrocnemius": ["s|gastrocnemius", "s|gastroc", "d~|gastrocnemious"],
    "soleal": ["s|soleal"],
    "muscular_calf": ["s|muscular calf", "s|intramuscular calf"],
    "great_saphenous": ["s|great saphenous", "s|greater saphenous", "s|long saphenous"],
    "small_saphenous": ["s|small saphenous", "s|lesser saphenous", "s|short saphenous"],
}

# Row labels of worksheets and tables.
SEG_ROW: dict[str, list[str]] = {
    "ivc": ["s|IVC"],
    "common_iliac": ["s|CIV", "d|Common iliac"],
    "external_iliac": ["s|EIV", "d|External iliac", "t|Ext iliac"],
    "common_femoral": ["s|CFV", "d|Common femoral", "t|COMMON FEM", "t|Com. femoral"],
    "deep_femoral": ["d|PFV", "d|Profunda", "t|DFV", "t|Deep femoral"],
    "femoral": ["d|SFV", "d|Femoral", "d|FV", "t|Fem vein", "t|FEMORAL (SFV)"],
    "popliteal": ["s|Popliteal", "d|POP", "d~|Poplitial", "t|Pop v.", "t|POPLITEAL"],
    "tibioperoneal_trunk": ["d|TPT", "t|TP trunk"],
    "posterior_tibial": ["s|PTV", "d|Post tibial", "t|PT veins", "t|Posterior tibials"],
    "peroneal": ["s|Peroneal", "d|PERO", "t|Peroneals", "t~|Perineal"],
    "anterior_tibial": ["s|ATV", "t|Ant tibial"],
    "calf_unspecified": ["s|Calf veins", "t|Calf"],
    "gastrocnemius": ["s|Gastroc", "d|Gastrocnemius", "t|Gastroc v.", "t~|Gastrocnemeus"],
    "soleal": ["s|Soleal", "t|Soleus", "d|Soleal sinus"],
    "muscular_calf": ["s|Muscular calf", "t|Calf muscle veins"],
    "great_saphenous": ["s|GSV", "d|Great saph", "t|LSV", "t|Greater saphenous"],
    "small_saphenous": ["s|SSV", "d|Small saph", "t|Lesser saph"],
    "superficial_other": ["s|Superficial", "t|Varicosities"],
}

SIDE_ADJ: dict[str, list[str]] = {
    "left": ["s|left", "s|left", "d|Lt", "d|LEFT", "t|L", "t|lt."],
    "right": ["s|right", "s|right", "d|Rt", "d|RIGHT", "t|R", "t|rt."],
}

LIMB: dict[str, list[str]] = {
    "left": ["s|left lower extremity", "s|left leg", "d|LLE", "d|Lt lower extremity", "t|L LE", "t|left lower limb"],
    "right": ["s|right lower extremity", "s|right leg", "d|RLE", "d|Rt lower extremity", "t|R LE", "t|right lower limb"],
}

SIDE_HEAD: dict[str, list[str]] = {
    "left": ["s|LEFT:", "s|LEFT LOWER EXTREMITY:", "d|Left leg:", "d|LLE:", "t|Lt leg -", "t|LEFT LEG", "t|L LE:"],
    "right": ["s|RIGHT:", "s|RIGHT LOWER EXTREMITY:", "d|Right leg:", "d|RLE:", "t|Rt leg -", "t|RIGHT LEG", "t|R LE:"],
}

LAT_TITLE: dict[str, list[str]] = {
    "left": ["s|LEFT", "d|LT", "t|UNILATERAL LEFT", "t|L"],
    "right": ["s|RIGHT", "d|RT", "t|UNILATERAL RIGHT", "t|R"],
    "bilateral": ["s|BILATERAL", "d|BILAT", "t|BOTH", "t|BIL"],
}

LAT_INLINE: dict[str, list[str]] = {
    "left": ["s|left", "d|lt", "t|unilateral left"],
    "right": ["s|right", "d|rt", "t|unilateral right"],
    "bilateral": ["s|bilateral", "d|bilat", "t|both"],
}

JUNCTION: dict[str, list[str]] = {
    "great_saphenous": ["s|saphenofemoral junction", "s|SFJ", "t|sapheno-femoral junction", "t|SF junction"],
    "small_saphenous": ["s|saphenopopliteal junction", "s|SPJ", "t|sapheno-popliteal junction"],
}

ACUITY_WORD: dict[str, list[str]] = {
    "acute": ["s|acute", "s|acute", "d|acute-appearing", "t|fresh"],
    "subacute": ["s|subacute"],
    "indeterminate_age": ["s|indeterminate-age", "t|age-indeterminate"],
}

OCCLUSION_WORD: dict[str, list[str]] = {
    "occlusive": ["s|occlusive", "d|totally occlusive", "t|completely occlusive"],
    "nonocclusive": ["s|nonocclusive", "d|non-occlusive", "t|partially occlusive"],
}
