#!/usr/bin/env python3
"""Writes data/names.txt: the person names of the passkey task.

The full names are built from the two original lists below (first names and
family names from many languages, written for this project). Every first name
and every family name is used the same number of times, and no name part is a
word of the passkey filler or query ("green", "sky", "pass", "key", ...), so
only the full name tells two documents apart.

Deterministic: the same lists give the same file. Run from the repository root:
    python3 tools/make_names.py
"""
import random

FIRST = """
Abebe Adaeze Agnieszka Ahmad Aiko Aino Alejandro Amara Anders Annika Arjun Astrid
Aurelio Bashir Beatriz Benedikt Bjorn Bongani Bronwen Caetano Camille Chiara
Cosmin Dagny Dariusz Deniz Desmond Dilnoza Dmitri Eamon Efua Eleni Elif Emeka
Esperanza Fabian Farida Fenna Florin Gideon Giulia Gustavo Hana Hamid Henrike
Hiroshi Idris Ines Ingrid Isidore Ivana Jaroslav Jelena Joaquim Jorunn Kalani
Kasimir Katalin Kenji Kofi Laleh Leocadia Lorcan Ludmila Lukas Madalena Mahmoud
Malik Marisol Mateus Meera Milena Nadia Nikolai Noor Odile Oksana Olumide Orla
Pavel Priya Quentin Radu Rashida Renata Rosalind Sanjay Saoirse Sigrun
Soren Tamsin Tariq Teodora Thandiwe Tobias Ulrika Vasco Wanjiru Yusuf Zofia
""".split()

LAST = """
Abernathy Achterberg Adeyemi Albescu Amundsen Antonelli Arkwright Bakshi Balogun
Barrowclough Belmonte Bergqvist Bialek Blackwood Bonnefoy Brennecke Calloway
Castellanos Chakraborty Chiriac Cordeiro Dahlgren Delacroix Dimitrov Drummond
Eberhardt Ekwueme Esposito Fairbanks Falkenrath Ferreira Fitzgerald Galbraith
Gallardo Gunnarsson Haddad Halloran Hartigan Holmberg Ibarra Iversen Jablonski
Jovanovic Kaczmarek Kalinowski Karlsson Kavanagh Kowalczyk Kuroda Lachance
Lindqvist Lombardi Lucescu Madsen Mahlangu Marchetti Mbeki Montgomery Moreau
Nakamura Nascimento Nieminen Novak Obradovic Okonkwo Ostrowski Pacheco
Papadakis Pemberton Petrosyan Quigley Rasmussen Ravensworth Richter Rossetti
Sandoval Sauveterre Scholz Seferis Sorensen Szabo Takahashi Thorvaldsen
Trevisan Underhill Valdivia Vasquez Villeneuve Wainwright Wexford Whitcombe
Yamamoto Yilmaz Zaragoza Zielinski Zubiri Brathwaite Oyelaran Stanescu Ferrandis
""".split()

FORBIDDEN = {"the", "grass", "is", "green", "sky", "blue", "sun", "yellow", "here", "we",
             "go", "there", "and", "back", "again", "what", "passkey", "pass", "key", "for",
             "remember", "it", "s"}


def main():
    assert len(FIRST) == 100 and len(set(FIRST)) == 100, len(FIRST)
    assert len(LAST) == 100 and len(set(LAST)) == 100, len(LAST)
    parts = {p.lower() for p in FIRST + LAST}
    assert not parts & FORBIDDEN, parts & FORBIDDEN
    assert not {p.lower() for p in FIRST} & {p.lower() for p in LAST}
    rng = random.Random(20240417)
    names = []
    # ten rounds; round r pairs first name i with family name (i + shift_r) mod 100
    # of a shuffled list, and the shifts differ, so no full name repeats
    last = LAST[:]
    rng.shuffle(last)
    for shift in rng.sample(range(100), 10):
        names += [f"{f} {last[(i + shift) % 100]}" for i, f in enumerate(FIRST)]
    assert len(set(names)) == len(names)
    rng.shuffle(names)
    with open("data/names.txt", "w", encoding="utf-8", newline="\n") as f:
        for n in names:
            f.write(n + "\n")
    print(f"data/names.txt: {len(names)} names")


if __name__ == "__main__":
    main()
