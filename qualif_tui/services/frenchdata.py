"""Word lists for realistic French contacts: names, towns, trades, streets.

Used by the generator (benchmarks, ``qualif init --contacts N``) and by the
script that made the demo data. Weights are rough shares, not statistics.
"""

from __future__ import annotations

FIRST_NAMES_F = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine",
    "Sandrine", "Véronique", "Valérie", "Céline", "Stéphanie", "Hélène", "Aurélie",
    "Émilie", "Julie", "Camille", "Léa", "Chloé", "Manon", "Inès", "Zoé", "Agnès",
    "Béatrice", "Cécile", "Élodie", "Gaëlle", "Laëtitia", "Noémie", "Mélanie", "Anaïs",
    "Maëlle", "Clémence", "Solène", "Océane", "Margaux", "Pauline", "Anne", "Brigitte",
    "Monique", "Jacqueline", "Geneviève", "Josiane", "Danièle", "Thérèse", "Mireille",
    "Joëlle", "Lucie", "Amélie", "Eugénie",
)
FIRST_NAMES_M = (
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe",
    "Laurent", "Stéphane", "Frédéric", "Éric", "Sébastien", "Thierry", "Julien", "David",
    "François", "Jérôme", "Olivier", "Thomas", "Benoît", "Gaël", "Loïc", "Noël", "Joël",
    "Raphaël", "Mathéo", "Théo", "Hugo", "Lucas", "Léo", "Maël", "Jérémy", "Cédric",
    "Grégory", "Rémi", "Aurélien", "Clément", "André", "René", "Gérard", "Bernard",
    "Jacques", "Daniel", "Hervé", "Régis", "Yannick", "Fabrice", "Anthony", "Mickaël",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
    "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis",
    "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer",
    "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Marie",
    "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez",
    "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
    "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe",
    "Leclercq", "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert",
    "Louis", "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey",
    "Moulin", "Gonzalez", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier",
    "Julien", "Bénard", "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux",
    "Renault", "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer",
    "Huet", "Baron", "Dupuy", "Pons", "Paul", "Laine", "Carré", "Bréhier", "Rémy",
    "Schneider", "Perrot", "Guyot", "Barré", "Marty", "Cousin", "Besson", "Lefèvre-Dumas",
    "Bégué", "Castéra", "Labbé", "Sénéchal", "Crémieux", "Pélissier", "Cazenave",
    "Escudié", "Rouquette", "Fabié", "Soulié", "Bardèche", "Delmas", "Fourcade",
    "Lagarrigue", "Puech", "Salvaing", "Teulière", "Vayssière", "D'Almeida", "L'Hôte",
    "Œillet", "Kervella", "Le Bihan", "Quéméner", "Mbappé", "Haddad", "Benali", "Ferreira",
)

# (département, town, postal code, weight)
TOWNS: tuple[tuple[str, str, str, float], ...] = (
    ("01", "Bourg-en-Bresse", "01000", 1), ("02", "Laon", "02000", 1),
    ("03", "Moulins", "03000", 0.7), ("04", "Digne-les-Bains", "04000", 0.4),
    ("05", "Gap", "05000", 0.4), ("06", "Nice", "06000", 2.5),
    ("07", "Privas", "07000", 0.7), ("08", "Charleville-Mézières", "08000", 0.6),
    ("09", "Foix", "09000", 0.4), ("09", "Pamiers", "09100", 0.3),
    ("10", "Troyes", "10000", 0.7), ("11", "Carcassonne", "11000", 0.7),
    ("11", "Narbonne", "11100", 0.5), ("12", "Rodez", "12000", 0.6),
    ("12", "Millau", "12100", 0.3), ("13", "Marseille", "13001", 3),
    ("13", "Aix-en-Provence", "13100", 1.2), ("14", "Caen", "14000", 1.4),
    ("15", "Aurillac", "15000", 0.3), ("16", "Angoulême", "16000", 0.7),
    ("17", "La Rochelle", "17000", 1), ("18", "Bourges", "18000", 0.6),
    ("19", "Tulle", "19000", 0.5), ("2A", "Ajaccio", "20000", 0.3),
    ("2A", "Porto-Vecchio", "20137", 0.1), ("2B", "Bastia", "20200", 0.3),
    ("2B", "Corte", "20250", 0.1), ("21", "Dijon", "21000", 1),
    ("22", "Saint-Brieuc", "22000", 1), ("23", "Guéret", "23000", 0.2),
    ("24", "Périgueux", "24000", 0.8), ("25", "Besançon", "25000", 1),
    ("26", "Valence", "26000", 1), ("27", "Évreux", "27000", 1),
    ("28", "Chartres", "28000", 0.8), ("29", "Quimper", "29000", 0.8),
    ("29", "Brest", "29200", 0.7), ("30", "Nîmes", "30000", 1),
    ("30", "Alès", "30100", 0.4), ("31", "Toulouse", "31000", 3),
    ("31", "Blagnac", "31700", 0.5), ("31", "Colomiers", "31770", 0.5),
    ("31", "Muret", "31600", 0.4), ("31", "Tournefeuille", "31170", 0.4),
    ("31", "Saint-Gaudens", "31800", 0.2), ("32", "Auch", "32000", 0.4),
    ("33", "Bordeaux", "33000", 3), ("33", "Mérignac", "33700", 0.6),
    ("34", "Montpellier", "34000", 2), ("34", "Béziers", "34500", 0.6),
    ("34", "Sète", "34200", 0.3), ("35", "Rennes", "35000", 2),
    ("36", "Châteauroux", "36000", 0.4), ("37", "Tours", "37000", 1.2),
    ("38", "Grenoble", "38000", 2), ("39", "Lons-le-Saunier", "39000", 0.5),
    ("40", "Mont-de-Marsan", "40000", 0.8), ("41", "Blois", "41000", 0.6),
    ("42", "Saint-Étienne", "42000", 1.4), ("43", "Le Puy-en-Velay", "43000", 0.4),
    ("44", "Nantes", "44000", 2.5), ("45", "Orléans", "45000", 1.2),
    ("46", "Cahors", "46000", 0.3), ("46", "Figeac", "46100", 0.2),
    ("47", "Agen", "47000", 0.6), ("48", "Mende", "48000", 0.2),
    ("49", "Angers", "49000", 1.4), ("50", "Saint-Lô", "50000", 0.8),
    ("51", "Châlons-en-Champagne", "51000", 0.5), ("51", "Reims", "51100", 0.6),
    ("52", "Chaumont", "52000", 0.3), ("53", "Laval", "53000", 0.5),
    ("54", "Nancy", "54000", 1.2), ("55", "Bar-le-Duc", "55000", 0.3),
    ("56", "Vannes", "56000", 1.2), ("57", "Metz", "57000", 1.6),
    ("58", "Nevers", "58000", 0.3), ("59", "Lille", "59000", 4),
    ("59", "Roubaix", "59100", 0.8), ("60", "Beauvais", "60000", 1.2),
    ("61", "Alençon", "61000", 0.4), ("62", "Arras", "62000", 2),
    ("63", "Clermont-Ferrand", "63000", 1.2), ("64", "Pau", "64000", 1),
    ("64", "Bayonne", "64100", 0.6), ("65", "Tarbes", "65000", 0.4),
    ("65", "Lourdes", "65100", 0.2), ("66", "Perpignan", "66000", 0.9),
    ("67", "Strasbourg", "67000", 2.2), ("68", "Colmar", "68000", 0.8),
    ("68", "Mulhouse", "68100", 0.7), ("69", "Lyon", "69001", 3.5),
    ("69", "Villeurbanne", "69100", 0.8), ("70", "Vesoul", "70000", 0.4),
    ("71", "Mâcon", "71000", 0.9), ("72", "Le Mans", "72000", 1.1),
    ("73", "Chambéry", "73000", 0.8), ("74", "Annecy", "74000", 1.6),
    ("75", "Paris", "75001", 2), ("75", "Paris", "75011", 2), ("75", "Paris", "75015", 2),
    ("75", "Paris", "75020", 1.5), ("76", "Rouen", "76000", 1.6),
    ("76", "Le Havre", "76600", 0.9), ("77", "Melun", "77000", 2.8),
    ("78", "Versailles", "78000", 2.8), ("79", "Niort", "79000", 0.7),
    ("80", "Amiens", "80000", 1), ("81", "Albi", "81000", 0.5),
    ("81", "Castres", "81100", 0.4), ("82", "Montauban", "82000", 0.5),
    ("83", "Toulon", "83000", 2), ("84", "Avignon", "84000", 1.1),
    ("85", "La Roche-sur-Yon", "85000", 1.3), ("86", "Poitiers", "86000", 0.8),
    ("87", "Limoges", "87000", 0.7), ("88", "Épinal", "88000", 0.7),
    ("89", "Auxerre", "89000", 0.6), ("90", "Belfort", "90000", 0.3),
    ("91", "Évry-Courcouronnes", "91000", 2.6), ("92", "Nanterre", "92000", 3.2),
    ("93", "Bobigny", "93000", 3.3), ("94", "Créteil", "94000", 2.8),
    ("95", "Cergy", "95000", 2.5), ("971", "Pointe-à-Pitre", "97110", 0.5),
    ("972", "Fort-de-France", "97200", 0.5), ("973", "Cayenne", "97300", 0.3),
    ("974", "Saint-Denis", "97400", 1), ("975", "Saint-Pierre", "97500", 0.05),
    ("976", "Mamoudzou", "97600", 0.3),
)

STREET_TYPES = ("rue", "avenue", "boulevard", "chemin", "allée", "impasse", "place", "route")
STREET_NAMES = (
    "de la République", "Victor-Hugo", "Jean-Jaurès", "de la Gare", "des Écoles",
    "du Général-de-Gaulle", "Pasteur", "de l'Église", "des Lilas", "du Moulin",
    "des Peupliers", "Gambetta", "Jules-Ferry", "de la Liberté", "des Acacias",
    "du Château", "Émile-Zola", "de Verdun", "du Stade", "des Mimosas", "Saint-Exupéry",
    "Clémenceau", "de la Paix", "des Chênes", "du Canal", "d'Occitanie", "Foch",
)

EMAIL_DOMAINS = (
    ("orange.fr", 20), ("gmail.com", 25), ("free.fr", 10), ("wanadoo.fr", 8),
    ("sfr.fr", 6), ("laposte.net", 6), ("hotmail.fr", 8), ("yahoo.fr", 5),
    ("outlook.fr", 5), ("bbox.fr", 3), ("icloud.com", 4),
)

COMPANY_PATTERNS = (
    "Garage {n}", "{n} & Fils", "SARL {n}", "Boulangerie {n}", "Cabinet {n}",
    "Transports {n}", "Menuiserie {n}", "Pharmacie {n}", "{n} Immobilier",
    "Ets {n}", "Ferme {n}", "Plomberie {n}", "{n} Conseil", "Taxi {n}",
    "Carrosserie {n}", "Électricité {n}", "Domaine {n}", "Auto-école {n}",
)
TITLES = (
    "Gérant", "Gérante", "Directeur", "Directrice", "Responsable achats", "Artisan",
    "Comptable", "Chef de parc", "Assistante de direction", "Président", "Associé",
)

# The demo's keys: the car dealership example the product was born from.
# (name, type, values with weights, share of contacts left unqualified)
DEMO_KEYS: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...] = (
    ("Profil", "choice", (
        ("client", 30), ("prospect", 35), ("suspect", 20), ("prescripteur", 6),
        ("concurrent", 3), ("partenaire", 6),
    )),
    ("Métier", "choice", (
        ("agriculteur", 5), ("artisan", 10), ("commerçant", 9), ("chef d'entreprise", 8),
        ("profession libérale", 7), ("cadre", 13), ("employé", 16), ("ouvrier", 9),
        ("fonctionnaire", 8), ("enseignant", 5), ("retraité", 8), ("étudiant", 2),
    )),
    ("Situation familiale", "choice", (
        ("célibataire", 25), ("couple", 25), ("couple avec enfants", 35),
        ("famille monoparentale", 10), ("veuf", 5),
    )),
    ("Véhicule actuel", "choice", (
        ("citadine", 22), ("compacte", 20), ("berline", 12), ("break", 9),
        ("monospace", 8), ("SUV", 16), ("4x4", 3), ("utilitaire", 6), ("électrique", 4),
    )),
    ("Mise en service", "month", ()),
    ("Source", "choice", (
        ("foire/salon", 15), ("prospection", 18), ("apporteur d'affaire", 10),
        ("bouche à oreille", 20), ("concession", 20), ("web", 12), ("facebook", 5),
    )),
)
UNQUALIFIED_SHARE = 0.15

HISTORY_SUBJECTS = {
    "call": (
        "Appel de suivi", "Relance devis", "Appel entrant : demande d'essai",
        "Prise de rendez-vous", "Rappel entretien", "Point sur le financement",
        "Message laissé sur répondeur", "Appel satisfaction après livraison",
    ),
    "email": (
        "Envoi de la brochure", "Devis envoyé", "Confirmation de rendez-vous",
        "Offre de reprise", "Invitation aux portes ouvertes", "Réponse à sa demande",
    ),
    "meeting": (
        "Essai routier", "Rendez-vous en concession", "Livraison du véhicule",
        "Visite sur le salon de l'auto", "Présentation de la gamme électrique",
        "Signature du bon de commande",
    ),
    "note": (
        "Intéressé par un SUV hybride", "Préfère être appelé le matin",
        "Compare avec la concurrence", "Budget serré, attend les soldes",
        "Changement de véhicule prévu l'an prochain", "A recommandé un collègue",
    ),
    "letter": ("Courrier de bienvenue", "Carte de vœux", "Rappel contrôle technique"),
}
HISTORY_BODIES = (
    "Très cordial, à rappeler dans quinze jours.",
    "Hésite entre deux modèles ; souhaite un second essai avec son épouse.",
    "Demande une reprise de son véhicule actuel, estimation à faire.",
    "Pas disponible avant la fin du mois.",
    "Satisfait de l'accueil, attend l'offre de financement.",
    "Questions sur l'autonomie et la recharge à domicile.",
    "Rendez-vous décalé à sa demande.",
    "Rencontré au salon, carte de visite récupérée.",
)
ACTIVITY_TITLES = {
    "call": ("Rappeler pour le devis", "Relance après essai", "Appel anniversaire d'achat",
             "Proposer la révision", "Confirmer le rendez-vous"),
    "meeting": ("Essai routier", "Rendez-vous reprise", "Livraison", "Présentation offre"),
    "todo": ("Préparer le devis", "Envoyer la brochure", "Vérifier le financement",
             "Mettre à jour la fiche", "Commander les plaques"),
}
DEAL_TITLES = ("Citadine neuve", "SUV hybride", "Break diesel occasion", "Utilitaire",
               "Berline électrique", "Contrat d'entretien", "Monospace familial")

# Deals and quotes of the demo and the generator (the car dealership).
DEAL_CATEGORIES = ("Véhicule neuf", "Véhicule d'occasion", "Utilitaire", "Entretien",
                   "Financement")
DEAL_CATEGORY_OF = {
    "Citadine neuve": "Véhicule neuf", "SUV hybride": "Véhicule neuf",
    "Berline électrique": "Véhicule neuf", "Monospace familial": "Véhicule neuf",
    "Break diesel occasion": "Véhicule d'occasion", "Utilitaire": "Utilitaire",
    "Contrat d'entretien": "Entretien",
}
# lost reasons (the defaults of the stage table's lists) and how often each comes up
LOST_REASONS = (("Prix", 40), ("Concurrent", 25), ("Délai", 10), ("Pas de budget", 15),
                ("Projet abandonné", 6), ("Sans réponse", 4))
DEAL_NOTES = ("", "", "", "Reprise de l'ancien véhicule à chiffrer", "Financement LOA demandé",
              "Client pressé : livraison avant la fin du mois", "Compare avec la concurrence",
              "Demande un essai le samedi", "Remise flotte possible à partir de trois véhicules")
# (designation, unit, unit price HT, VAT rate) added to a vehicle's quote
QUOTE_EXTRAS = (("Frais de mise à la route", "forfait", 350, 20),
                ("Pack hiver (pneus et tapis)", "forfait", 690, 20),
                ("Extension de garantie 2 ans", "forfait", 480, 20),
                ("Carte grise (taxe régionale)", "forfait", 298, 0),
                ("Plein de carburant", "forfait", 75, 20))
DEMO_ISSUER = {
    "name": "Claire Fabre", "trade_name": "Garage Fabre Automobiles",
    "address": "14 avenue de Toulouse", "postal_code": "31700", "city": "Blagnac",
    "email": "contact@garage-fabre.fr", "phone": "05 61 30 42 18",
    "siret": "732 829 320 00074", "vat_number": "FR44732829320",
    "payment_terms": "Acompte de 30 % à la commande, solde à la livraison, par virement.",
    "iban": "FR76 3000 4000 0312 3456 7890 143",
}
